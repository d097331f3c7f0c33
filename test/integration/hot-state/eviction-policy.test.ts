/** The boot's eviction check against a real Redis, whose settings are read, never changed (it is shared). */
import { evictionWarning, readEvictionWarning } from '../../../src/hot-state/eviction-policy';
import { connectRedis } from '../../../src/hot-state/redis-client';
import { createLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import { createBackends, createTestPocket, type TestBackends } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';

describeWithServices(['REDIS_URL'], 'Redis eviction policy on a real server', () => {
  it('reads CONFIG GET maxmemory* and warns exactly when this server can evict keys', async () => {
    const client = await connectRedis(process.env['REDIS_URL'] ?? '');
    try {
      const setting = async (name: string): Promise<string> =>
        String(((await client.call('CONFIG', 'GET', name)) as string[])[1]);
      const evicts =
        Number(await setting('maxmemory')) > 0 && (await setting('maxmemory-policy')) !== 'noeviction';
      expect(await readEvictionWarning(client)).toEqual(evicts ? expect.any(String) : null);
    } finally {
      client.disconnect();
    }
  });
});

describe('the boot logs what the hot state says to fix', () => {
  let backends: TestBackends | undefined;
  let pocket: Pocket | undefined;
  afterEach(async () => {
    await pocket?.close();
    await backends?.destroy();
  });

  it('logs each warning once at boot, at level warn', async () => {
    backends = await createBackends('sqlite+memory');
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const warning = evictionWarning(1_000_000, 'allkeys-lru') ?? '';
    const hotState = Object.assign(backends.hotState(), {
      configurationWarnings: () => Promise.resolve([warning]),
    });
    pocket = await createTestPocket(backends, { logger, hotState });
    const warned = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(warned.filter((l) => l.msg === warning)).toEqual([expect.objectContaining({ level: 40 })]);
  });
});
