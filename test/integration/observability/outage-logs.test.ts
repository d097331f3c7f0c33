/**
 * Logs during a Redis outage. While Redis is down, every registry poll (each second) fails to rebuild every
 * campaign's counters and every connection retries; each of those used to write a warning with its stack, so a
 * five-minute outage of a service with a few campaigns left thousands of identical stack traces for the
 * on-call engineer. Each distinct failure is now written once, then at most once a minute.
 *
 * The suite starts a redis-server of its own (the shared one must never be stopped) and stops it mid-test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createLogger } from '../../../src/observability/logger';
import { createPocket, type Pocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';

interface Line {
  level: number;
  msg: string;
  campaignId?: string;
  err?: { message: string };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 50; i++) {
      await sleep(50);
      if (child.exitCode !== null) break;
      if (
        spawnSync('redis-cli', ['-p', String(port), 'ping'])
          .stdout?.toString()
          .trim() === 'PONG'
      ) {
        return { url: `redis://127.0.0.1:${port}/0`, child };
      }
    }
    child.kill('SIGKILL');
  }
  throw new Error('could not start a redis-server of our own');
}

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'logs while Redis is down', () => {
  let ledger: TestLedger | undefined;
  let pocket: Pocket | undefined;
  let redis: ChildProcess | undefined;
  afterEach(async () => {
    await pocket?.close();
    if (redis && redis.exitCode === null && redis.signalCode === null) {
      redis.kill('SIGKILL');
      await once(redis, 'exit');
    }
    await ledger?.destroy();
  });

  it('each failure of the poll, the rebuilds and the connections is written once, not once a poll', async () => {
    const own = await startRedis();
    redis = own.child;
    ledger = await withLedger('postgres');
    const lines: Line[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => void lines.push(JSON.parse(line) as Line),
    });
    pocket = await createPocket(
      { ...testConfig({ REDIS_URL: own.url }), publishOnStart: true },
      { logger, db: ledger.db, refreshMs: 100 },
    );
    await pocket.start();
    const campaigns = pocket.registry.list().map((s) => s.campaignId);
    expect(campaigns.length).toBeGreaterThan(1);
    expect(lines).toEqual([]);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    await sleep(3000); // 30 polls at 100 ms, several reconnection attempts

    const rebuilds = lines.filter((l) => l.msg === 'hot counter rebuild failed');
    expect(new Set(rebuilds.map((l) => l.campaignId))).toEqual(new Set(campaigns));
    const seen = new Map<string, number>();
    for (const l of lines) {
      const key = `${l.msg} | ${l.campaignId ?? ''} | ${l.err?.message ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  }, 30_000);
});
