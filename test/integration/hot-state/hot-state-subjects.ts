import type { Redis } from 'ioredis';
import type { HotState } from '../../../src/hot-state/hot-state';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { connectRedis } from '../../../src/hot-state/redis-client';
import { RedisHotState } from '../../../src/hot-state/redis-hot-state';
import { uniqueName } from '../../helpers/services';

/** One implementation under the contract suite. */
export interface Subject {
  hot: HotState;
  /** A second instance over the same state, as a second service process would have. */
  peer: HotState;
  /** Lose everything, as a Redis restart (or FLUSHDB) would. */
  wipe(): Promise<void>;
  teardown(): Promise<void>;
}

export interface Implementation {
  name: string;
  services: Array<'REDIS_URL'>;
  setup(): Promise<Subject>;
}

/** Deletes every key under the prefix (SCAN + DEL), i.e. a FLUSHDB limited to this suite. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

export async function listKeys(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export const memoryImplementation: Implementation = {
  name: 'MemoryHotState',
  services: [],
  async setup() {
    const hot = new MemoryHotState();
    return { hot, peer: hot, wipe: async () => hot.wipe(), teardown: () => hot.close() };
  },
};

export const redisImplementation: Implementation = {
  name: 'RedisHotState',
  services: ['REDIS_URL'],
  async setup() {
    const url = process.env.REDIS_URL as string;
    const keyPrefix = `${uniqueName('hot')}:`;
    const [a, b] = await Promise.all([connectRedis(url), connectRedis(url)]);
    const hot = new RedisHotState(a, { keyPrefix });
    const peer = new RedisHotState(b, { keyPrefix });
    return {
      hot,
      peer,
      wipe: async () => {
        await deleteKeys(a, keyPrefix);
      },
      teardown: async () => {
        await deleteKeys(a, keyPrefix);
        await Promise.all([a.quit(), b.quit()]);
      },
    };
  },
};
