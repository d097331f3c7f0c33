/**
 * A whole pocket for integration and e2e tests, on real backends: PostgreSQL + Redis (an isolated schema and
 * key prefix per instance set) or the embedded pair SQLite + memory. Two instances may share one ledger and
 * one hot state, as two service processes share one PostgreSQL and one Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config';
import type { HotState } from '../../src/hot-state/hot-state';
import { MemoryHotState } from '../../src/hot-state/memory-hot-state';
import { createRedisClient } from '../../src/hot-state/redis-client';
import { RedisHotState } from '../../src/hot-state/redis-hot-state';
import { RedisKeys } from '../../src/hot-state/redis-keys';
import { silentLogger } from '../../src/observability/logger';
import { createPocket, type Pocket, type PocketOverrides } from '../../src/server';
import { withLedger, type LedgerOptions, type TestLedger } from './ledger';
import { describeWithServices, uniqueName } from './services';

export type Backend = 'postgres+redis' | 'sqlite+memory';

export interface TestBackends {
  backend: Backend;
  ledger: TestLedger;
  /** A fresh hot-state client over the shared state (each instance gets its own, as separate processes would). */
  hotState(): HotState;
  /** Simulates a Redis restart: every hot key of this test set is gone. */
  wipeHotState(): Promise<void>;
  redis: Redis | null;
  /** The names of this set's Redis keys (null on the embedded backends). */
  redisKeys: RedisKeys | null;
  destroy(): Promise<void>;
}

/** `ledgerOptions`: the PostgreSQL pool's options (default 1–20 connections, knex's wait for one). */
export async function createBackends(
  backend: Backend,
  ledgerOptions: LedgerOptions = { pool: { min: 1, max: 20 } },
): Promise<TestBackends> {
  if (backend === 'sqlite+memory') {
    const ledger = await withLedger('sqlite');
    const memory = new MemoryHotState();
    return {
      backend,
      ledger,
      hotState: () => memory,
      wipeHotState: () => Promise.resolve(memory.wipe()),
      redis: null,
      redisKeys: null,
      destroy: () => ledger.destroy(),
    };
  }
  const ledger = await withLedger('postgres', ledgerOptions);
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set');
  const keyPrefix = `${uniqueName('pocket')}:`;
  const redis = createRedisClient(redisUrl);
  const states: RedisHotState[] = [];
  const deletePrefix = async (): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  };
  return {
    backend,
    ledger,
    hotState: () => {
      const state = new RedisHotState(redisUrl, { keyPrefix });
      states.push(state);
      return state;
    },
    wipeHotState: deletePrefix,
    redis,
    redisKeys: new RedisKeys(keyPrefix),
    async destroy() {
      await deletePrefix();
      await Promise.all(states.map((s) => s.close().catch(() => undefined)));
      redis.disconnect();
      await ledger.destroy();
    },
  };
}

/** A config for tests: the repo's definitions (or `definitionsRoot`), generated secrets in a temp dir. */
export function testConfig(env: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'pocket-test-'));
  const config = loadConfig(
    {
      POCKET_DATA_DIR: dir,
      POCKET_DEFINITIONS: process.cwd(),
      LOG_LEVEL: 'silent',
      // Tests drive the relay and reconciliation themselves (pocket.delivery); no background worker.
      POCKET_WORKER: 'false',
      ...env,
    },
    process.cwd(),
  );
  return { ...config, publishOnStart: true };
}

export async function createTestPocket(
  backends: TestBackends,
  overrides: PocketOverrides & { config?: Partial<Config> } = {},
): Promise<Pocket> {
  const { config: configOverrides, ...rest } = overrides;
  const config = { ...testConfig(), ...configOverrides };
  const pocket = await createPocket(config, {
    logger: silentLogger(),
    db: backends.ledger.db,
    hotState: backends.hotState(),
    refreshMs: 200,
    ...rest,
  });
  await pocket.start();
  return pocket;
}

/** describe.each over both backend pairs; PostgreSQL + Redis is gated by DATABASE_URL and REDIS_URL. */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  describeWithServices(['DATABASE_URL', 'REDIS_URL'], `${title} [postgres+redis]`, () =>
    body('postgres+redis'),
  );
  describe(`${title} [sqlite+memory]`, () => body('sqlite+memory'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
