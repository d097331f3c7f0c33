import type { Redis } from 'ioredis';
import { connectRedis, createRedisClient } from '../../../src/hot-state/redis-client';
import { RedisHotState } from '../../../src/hot-state/redis-hot-state';
import { describeWithServices, uniqueName } from '../../helpers/services';
import { DAY1, EMPTY_COUNTERS, request } from './hot-state-fixtures';
import { deleteKeys, listKeys } from './hot-state-subjects';

/** What Redis Cluster hashes: the part between the first '{' and the next '}'. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open === -1 || close === -1 ? key : key.slice(open + 1, close);
}

describe('RedisHotState without Redis', () => {
  it('rejects instead of hanging when Redis cannot be reached', async () => {
    const client = createRedisClient('redis://127.0.0.1:1', { connectTimeoutMs: 200 });
    const hot = new RedisHotState(client, { keyPrefix: 'down:' });
    try {
      await expect(hot.reserve(request('c1'))).rejects.toThrow();
      await expect(
        hot.begin({
          campaignId: 'c1',
          userId: 'u1',
          idempotencyKey: 'k1',
          requestHash: 'h',
          lockToken: 't',
          lockTtlMs: 1_000,
          markerTtlMs: 1_000,
          waitMs: 200,
        }),
      ).rejects.toThrow();
      await expect(hot.readCounters('c1')).rejects.toThrow();
    } finally {
      client.disconnect();
    }
    await expect(connectRedis('redis://127.0.0.1:1', { connectTimeoutMs: 200 })).rejects.toThrow();
  });

  it('ready() gives up after its timeout instead of holding the boot', async () => {
    const client = createRedisClient('redis://127.0.0.1:1', { connectTimeoutMs: 200 });
    try {
      await expect(new RedisHotState(client).ready(300)).resolves.toBeUndefined();
      expect(client.status).not.toBe('ready');
    } finally {
      client.disconnect();
    }
  });
});

describeWithServices(['REDIS_URL'], 'RedisHotState before its connection is made', () => {
  it('ready() waits for the connection, so the first commands (the boot rebuilds) do not fail', async () => {
    const hot = new RedisHotState(process.env['REDIS_URL'] ?? '', { keyPrefix: `${uniqueName('ready')}:` });
    try {
      // Without the wait, a command sent now fails: the client queues nothing while it connects.
      await hot.ready(5_000);
      await expect(hot.readCounters('c1')).resolves.toBeDefined();
    } finally {
      await hot.close();
    }
  });
});

describeWithServices(['REDIS_URL'], 'RedisHotState on Redis', () => {
  const keyPrefix = `${uniqueName('hotr')}:`;
  let client: Redis;
  let hot: RedisHotState;

  beforeAll(async () => {
    client = await connectRedis(process.env.REDIS_URL as string);
    hot = new RedisHotState(client, { keyPrefix });
  });
  afterAll(async () => {
    await deleteKeys(client, keyPrefix);
    await client.quit();
  });

  it('keeps every key of a campaign under its hash tag, so one script touches one cluster slot', async () => {
    const campaigns = ['spring-sale', 'odd}{:id'];
    for (const cid of campaigns) {
      await hot.initialize(cid, EMPTY_COUNTERS);
      const limits = { stock: 5, budgetTotal: 100, budgetDaily: 50 };
      const a = await hot.reserve(request(cid, { userId: 'u:1}', charge: 10, limits }));
      await hot.reserve(request(cid, { userId: 'u2', charge: 10, limits }));
      if (a.ok) await hot.release(cid, a.reservation.id);
      await hot.begin({
        campaignId: cid,
        userId: 'u:1}',
        idempotencyKey: 'key:{x}',
        requestHash: 'h',
        lockToken: 't',
        lockTtlMs: 10_000,
        markerTtlMs: 10_000,
        waitMs: 0,
      });
    }
    const keys = await listKeys(client, keyPrefix);
    const tags = new Set(keys.map(hashTag));
    expect(tags).toEqual(new Set(['spring-sale', 'odd%007d%007b%003aid']));
    // state, sfree, bfree, dfree, user x2, res, resx, lock, idem per campaign.
    expect(keys.filter((k) => hashTag(k) === 'spring-sale').length).toBeGreaterThanOrEqual(9);
  });

  it('initializes and reads back large counters in one script each', async () => {
    const free = Array.from({ length: 5_000 }, (_, i) => 2 * i + 1);
    const ranges = Array.from({ length: 3_000 }, (_, i) => [4 * i, 4 * i + 2] as const);
    const counters = {
      stock: { big: { top: 10_001, free } },
      budget: { top: 12_001, free: ranges },
      daily: { [DAY1]: { top: 12_001, free: ranges } },
    };
    expect(await hot.initialize('big-campaign', counters)).toBe(true);
    expect(await hot.readCounters('big-campaign')).toEqual(counters);
    const availability = await hot.availability('big-campaign', ['big'], DAY1);
    expect(availability).toEqual({
      initialized: true,
      stockUsed: { big: 5_001 },
      spent: 6_001,
      dailySpent: 6_001,
    });
  });

  it('gives user counters a TTL', async () => {
    await hot.initialize('ttl-campaign', EMPTY_COUNTERS);
    await hot.reserve(request('ttl-campaign', { userId: 'u1' }));
    const userKeys = (await listKeys(client, keyPrefix)).filter((k) => k.includes('{ttl-campaign}:u:'));
    expect(userKeys).toHaveLength(1);
    const ttl = await client.pttl(userKeys[0] as string);
    expect(ttl).toBeGreaterThan(30 * 24 * 3600 * 1000);
  });

  it('keeps working after the script cache is flushed (EVALSHA falls back to EVAL)', async () => {
    await hot.initialize('flush-campaign', EMPTY_COUNTERS);
    await client.script('FLUSH');
    const result = await hot.reserve(request('flush-campaign', { limits: { stock: 1 } }));
    expect(result.ok && result.reservation.stockSlot).toBe(1);
    expect((await hot.availability('flush-campaign', ['rp-small'], DAY1)).stockUsed).toEqual({
      'rp-small': 1,
    });
  });
});
