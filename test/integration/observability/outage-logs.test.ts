/**
 * Logs during a Redis outage. While Redis is down, every registry poll (each second) fails to rebuild every
 * campaign's counters and every connection retries; each of those used to write a warning with its stack, so a
 * five-minute outage of a service with a few campaigns left thousands of identical stack traces for the
 * on-call engineer. Each distinct failure is now written once, then at most once a minute.
 *
 * The suite starts a redis-server of its own (the shared one must never be stopped) and stops it mid-test.
 */
import { createLogger } from '../../../src/observability/logger';
import { createPocket, type Pocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { startOwnRedis, type OwnRedis } from '../../helpers/own-redis';
import { describeWithServices } from '../../helpers/services';

interface Line {
  level: number;
  msg: string;
  campaignId?: string;
  err?: { message: string };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'logs while Redis is down', () => {
  let ledger: TestLedger | undefined;
  let pocket: Pocket | undefined;
  let redis: OwnRedis | undefined;
  afterEach(async () => {
    await pocket?.close();
    await redis?.kill();
    await ledger?.destroy();
  });

  it('each failure of the poll, the rebuilds and the connections is written once, not once a poll', async () => {
    redis = await startOwnRedis();
    const url = `redis://127.0.0.1:${redis.port}/0`;
    ledger = await withLedger('postgres');
    const lines: Line[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => void lines.push(JSON.parse(line) as Line),
    });
    pocket = await createPocket(
      { ...testConfig({ REDIS_URL: url }), publishOnStart: true },
      { logger, db: ledger.db, refreshMs: 100 },
    );
    await pocket.start();
    const campaigns = pocket.registry.list().map((s) => s.campaignId);
    expect(campaigns.length).toBeGreaterThan(1);
    expect(lines).toEqual([]);

    await redis.kill();
    const killed = Date.now();
    // Every campaign's rebuild fails and is logged: waited for (a deadline only ends a failing test), since on a busy
    // host the polls come late. Then the rest of 3 s (about 30 polls at 100 ms and several reconnection attempts),
    // and at least 1 s more (10 polls), for the repeats that must not be written.
    const failedCampaigns = (): Set<string | undefined> =>
      new Set(lines.filter((l) => l.msg === 'hot counter rebuild failed').map((l) => l.campaignId));
    for (
      const deadline = killed + 20_000;
      failedCampaigns().size < campaigns.length && Date.now() < deadline;
    )
      await sleep(100);
    await sleep(Math.max(1000, killed + 3000 - Date.now()));

    expect(failedCampaigns()).toEqual(new Set(campaigns));
    const seen = new Map<string, number>();
    for (const l of lines) {
      const key = `${l.msg} | ${l.campaignId ?? ''} | ${l.err?.message ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  }, 60_000);
});
