import type { Redis } from 'ioredis';
import { createRedisClient } from '../../../src/hot-state/redis-client';
import { ParticipationRateLimiter } from '../../../src/protection/participation-rate-limiter';
import type { RateCheck } from '../../../src/protection/rate-checks';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { describeWithServices, uniqueName } from '../../helpers/services';
import {
  join_ as joinFrom,
  NOW,
  profiles,
  stateOf,
  writeCampaigns,
  type JoinOptions,
} from './protection-fixtures';

let nextIp = 0;
/** Each request from its own address unless the test names one (the per-IP limit is tested on its own). */
const join_ = (pocket: Pocket, campaign: string, userId: string, options: JoinOptions = {}) =>
  joinFrom(pocket, campaign, userId, {
    ip: `10.1.${Math.floor(++nextIp / 250)}.${nextIp % 250}`,
    ...options,
  });

const CAMPAIGNS = {
  'rl-sale': {
    protection: '{ rateLimit: { perUser: 3/min, perDevice: 5/min, perIp: 8/min, campaign: 1000/min } }',
  },
  'rl-wide': { protection: '{ rateLimit: { campaign: 3/min } }' },
  'rl-shared': { protection: '{ rateLimit: { perUser: 2/min, perIp: 4/min } }' },
  'rl-last-point': { protection: '{ rateLimit: { perUser: 2/min, perIp: 3/min } }' },
};

function expectRateLimited(res: {
  status: number;
  body: { error?: { code?: string } };
  headers: Record<string, string>;
}) {
  expect(res.status).toBe(429);
  expect(res.body.error?.code).toBe('rate_limited');
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length > 0) await redis.del(...keys);
  return keys;
}

describeEachBackend('rate limits', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;
  const keyPrefix = `${uniqueName('rl')}:`;

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeCampaigns(CAMPAIGNS);
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles(),
      config: { definitionsRoot: root },
      protection: { redis: backends.redis, keyPrefix },
    });
  });
  afterAll(async () => {
    await pocket?.close();
    if (backends?.redis) await deleteKeys(backends.redis, keyPrefix);
    await backends?.destroy();
    removeDir(root);
  });

  it('per user: the 4th request in a minute is 429 with Retry-After, and reserves or writes nothing', async () => {
    for (let i = 0; i < 3; i++)
      expect((await join_(pocket, 'rl-sale', 'u-rl', { key: `k${i}` })).status).toBe(201);
    const before = await stateOf(pocket, ['rl-sale'], ['u-rl']);
    const refused = await join_(pocket, 'rl-sale', 'u-rl', { key: 'k3' });
    expectRateLimited(refused);
    expect(await stateOf(pocket, ['rl-sale'], ['u-rl'])).toEqual(before);
    // Not stored: the same key is not replayed as a 429 later, and a stored answer still replays.
    expect((await pocket.db('participations').where({ user_id: 'u-rl', idem_key: 'k3' })).length).toBe(0);
    const replay = await join_(pocket, 'rl-sale', 'u-rl', { key: 'k0' });
    expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
    // Other users are not affected.
    expect((await join_(pocket, 'rl-sale', 'u-other')).status).toBe(201);
  });

  it('per device: a sixth account on one device within the minute is 429', async () => {
    const context = { channel: 'app', deviceId: 'dev-rl' };
    for (let i = 0; i < 5; i++)
      expect((await join_(pocket, 'rl-sale', `dev-user-${i}`, { context })).status).toBe(201);
    expectRateLimited(await join_(pocket, 'rl-sale', 'dev-user-5', { context }));
    expect(
      (await join_(pocket, 'rl-sale', 'dev-user-5', { context: { channel: 'app', deviceId: 'dev-2' } }))
        .status,
    ).toBe(201);
  });

  it('per IP: the ninth request from one address within the minute is 429', async () => {
    for (let i = 0; i < 8; i++)
      expect((await join_(pocket, 'rl-sale', `ip-user-${i}`, { ip: '203.0.113.7' })).status).toBe(201);
    expectRateLimited(await join_(pocket, 'rl-sale', 'ip-user-8', { ip: '203.0.113.7' }));
    expect((await join_(pocket, 'rl-sale', 'ip-user-8', { ip: '203.0.113.8' })).status).toBe(201);
  });

  it('per IP: the port a proxy appends to X-Forwarded-For (Azure Application Gateway) is not part of the address', async () => {
    for (let i = 0; i < 8; i++) {
      const ip = i % 2 === 0 ? `203.0.113.30:${40000 + i}` : '203.0.113.30';
      expect((await join_(pocket, 'rl-sale', `port-user-${i}`, { ip })).status).toBe(201);
    }
    expectRateLimited(await join_(pocket, 'rl-sale', 'port-user-8', { ip: '203.0.113.30:50001' }));
    for (let i = 0; i < 8; i++) {
      const ip = `[2001:db8:7:b::${i + 1}]:${40000 + i}`;
      expect((await join_(pocket, 'rl-sale', `port6-user-${i}`, { ip })).status).toBe(201);
    }
    expectRateLimited(await join_(pocket, 'rl-sale', 'port6-user-8', { ip: '[2001:db8:7:b::99]:443' }));
  });

  it('per IP: an IPv6 client counts as its /64, so rotating addresses within it does not reset the allowance', async () => {
    for (let i = 0; i < 8; i++) {
      const ip = `2001:db8:7:9::${(i + 1).toString(16)}`;
      expect((await join_(pocket, 'rl-sale', `ip6-user-${i}`, { ip })).status).toBe(201);
    }
    expectRateLimited(await join_(pocket, 'rl-sale', 'ip6-user-8', { ip: '2001:db8:7:9:ffff:1:2:3' }));
    // The next /64 is another client.
    expect((await join_(pocket, 'rl-sale', 'ip6-user-8', { ip: '2001:db8:7:a::1' })).status).toBe(201);
  });

  it("parallel requests over a user's limit do not use up the allowance of the others behind their IP", async () => {
    const ip = '198.51.100.40';
    const flood = await Promise.all(
      Array.from({ length: 12 }, () => join_(pocket, 'rl-shared', 'abuser', { ip })),
    );
    expect(flood.filter((r) => r.status === 201)).toHaveLength(2);
    for (const res of flood.filter((r) => r.status !== 201)) expectRateLimited(res);
    // The IP has let 2 of its 4 through: two neighbours still get in, the third is refused.
    expect((await join_(pocket, 'rl-shared', 'neighbour-1', { ip })).status).toBe(201);
    expect((await join_(pocket, 'rl-shared', 'neighbour-2', { ip })).status).toBe(201);
    expectRateLimited(await join_(pocket, 'rl-shared', 'neighbour-3', { ip }));
  });

  it("a request that takes a user's last point and is refused by the IP limit leaves that point usable", async () => {
    const ip = '198.51.100.60';
    for (const user of ['last-a', 'last-b', 'last-c'])
      expect((await join_(pocket, 'rl-last-point', user, { ip })).status).toBe(201);
    // last-a's second request takes its last user point, then the full IP limit refuses it and gives it back.
    expectRateLimited(await join_(pocket, 'rl-last-point', 'last-a', { ip }));
    // So last-a, with one grant of two, still gets in from another address (Redis: it was blocked in memory).
    expect((await join_(pocket, 'rl-last-point', 'last-a', { ip: '198.51.100.61' })).status).toBe(201);
    expectRateLimited(await join_(pocket, 'rl-last-point', 'last-a', { ip: '198.51.100.62' }));
  });

  it('campaign-wide: the fourth request of anyone within the minute is 429; other campaigns are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await join_(pocket, 'rl-wide', `wide-${i}`)).status).toBe(201);
    expectRateLimited(await join_(pocket, 'rl-wide', 'wide-3'));
    expect((await join_(pocket, 'rl-sale', 'wide-3')).status).toBe(201);
  });

  if (backend === 'postgres+redis') {
    it('counts in Redis, under keys that carry the campaign hash tag', async () => {
      const redis = backends.redis as Redis;
      const keys = await redis.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys)
        expect(key).toMatch(
          new RegExp(`^${keyPrefix}\\{rl-(sale|wide|shared|last-point)\\}:rl:(user|device|ip|campaign):`),
        );
    });
  }
});

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'rate limits when Redis is down [postgres+redis]', () => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;
  let deadRedis: Redis;

  beforeAll(async () => {
    backends = await createBackends('postgres+redis');
    root = writeCampaigns(CAMPAIGNS);
    deadRedis = createRedisClient('redis://127.0.0.1:1', { connectTimeoutMs: 100 });
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles(),
      config: { definitionsRoot: root },
      protection: { redis: deadRedis },
    });
  });
  afterAll(async () => {
    await pocket?.close();
    deadRedis?.disconnect();
    await backends?.destroy();
    removeDir(root);
  });

  it('fails closed with 503 while under the limits, and the in-memory insurance limiter still answers 429 past them; nothing is written', async () => {
    const before = await stateOf(pocket, ['rl-sale'], ['u-down']);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await join_(pocket, 'rl-sale', 'u-down'));
    for (const res of answers.slice(0, 3)) {
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'dependency_unavailable', dependency: 'hot-state' });
    }
    for (const res of answers.slice(3)) expectRateLimited(res);
    expect(await stateOf(pocket, ['rl-sale'], ['u-down'])).toEqual(before);
  });
});

describeWithServices(['REDIS_URL'], 'rate limits on a busy event loop [redis]', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedisClient(process.env.REDIS_URL ?? '', { lazyConnect: true });
    await redis.connect();
  });
  afterAll(() => redis?.disconnect());

  it('a Redis answer that arrived in time is not a timeout because the event loop was busy past storeTimeoutMs', async () => {
    const degraded: unknown[] = [];
    const limiter = new ParticipationRateLimiter({
      redis,
      keyPrefix: `${uniqueName('busy')}:`,
      storeTimeoutMs: 100,
      onStoreError: (error) => degraded.push(error),
    });
    const check: RateCheck = { dimension: 'user', spec: { points: 100, durationSec: 60 }, key: 'u' };
    await limiter.check('busy-loop', [check], null); // loads the script, so the next call is one round trip
    const answered = limiter.check('busy-loop', [check], null);
    // A flash sale's burst keeps the event loop busy past the timeout while Redis' answer is already waiting.
    const until = Date.now() + 300;
    while (Date.now() < until);
    await expect(answered).resolves.toBeUndefined();
    expect(degraded).toEqual([]);
  });
});
