import type { Redis } from 'ioredis';
import { DependencyUnavailableError, RateLimitedError } from '../../../src/errors/app-error';
import { ParticipationRateLimiter } from '../../../src/protection/participation-rate-limiter';
import type { RateCheck } from '../../../src/protection/rate-checks';

const user = (key: string, points = 5): RateCheck => ({
  dimension: 'user',
  spec: { points, durationSec: 60 },
  key,
});
const campaignWide = (points: number): RateCheck => ({
  dimension: 'campaign',
  spec: { points, durationSec: 60 },
  key: 'all',
});

async function outcome(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof RateLimitedError) return `429:${error.retryAfterSeconds}`;
    if (error instanceof DependencyUnavailableError) return '503';
    throw error;
  }
}

/** Just enough of an ioredis client for RateLimiterRedis: a status and the rlflxIncr command. */
class FakeRedis {
  status = 'ready';
  mode: 'ok' | 'hang' = 'ok';
  /** Keys whose command fails (Redis dropping mid-request); the others answer. */
  failing: (key: string) => boolean = () => false;
  calls = 0;
  readonly keys: string[] = [];
  private readonly counts = new Map<string, number>();
  defineCommand(): void {}
  rlflxIncr(args: string[]): Promise<[number, number]> {
    this.calls++;
    if (this.mode === 'hang') return new Promise(() => undefined);
    const key = args[0] as string;
    if (this.failing(key)) return Promise.reject(new Error('Connection is closed.'));
    this.keys.push(key);
    const n = (this.counts.get(key) ?? 0) + Number(args[1]);
    this.counts.set(key, n);
    return Promise.resolve([n, 42_000]);
  }
  count(key: string): number {
    return [...this.counts].filter(([k]) => k.includes(key)).reduce((sum, [, n]) => sum + n, 0);
  }
  asRedis(): Redis {
    return this as unknown as Redis;
  }
}

describe('ParticipationRateLimiter in memory (embedded mode)', () => {
  it('lets `points` requests through per window, then 429 with Retry-After in whole seconds', async () => {
    const limiter = new ParticipationRateLimiter({ redis: null });
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await outcome(limiter.check('c', [user('u-1')], null)));
    expect(results.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    for (const r of results.slice(5)) {
      expect(r).toMatch(/^429:\d+$/);
      const seconds = Number(r.split(':')[1]);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
    }
    expect(await outcome(limiter.check('c', [user('u-2')], null))).toBe('ok');
    expect(await outcome(limiter.check('other', [user('u-1')], null))).toBe('ok');
  });

  it('a request refused by its own limit does not eat the campaign-wide allowance', async () => {
    const limiter = new ParticipationRateLimiter({ redis: null });
    const run = (u: string) => outcome(limiter.check('c', [user(u, 1)], campaignWide(2)));
    expect(await run('a')).toBe('ok');
    expect(await run('a')).toMatch(/^429/);
    expect(await run('a')).toMatch(/^429/);
    expect(await run('b')).toBe('ok');
    expect(await run('c')).toMatch(/^429/);
  });

  it("a request refused by the campaign-wide limit keeps none of the user's own allowance", async () => {
    const limiter = new ParticipationRateLimiter({ redis: null });
    expect(await outcome(limiter.check('c', [user('x', 2)], campaignWide(1)))).toBe('ok');
    for (let i = 0; i < 3; i++) {
      expect(await outcome(limiter.check('c', [user('u', 2)], campaignWide(1)))).toMatch(/^429/);
    }
    // The campaign's window aside, the user still has both of their requests.
    expect(await outcome(limiter.check('c', [user('u', 2)], null))).toBe('ok');
    expect(await outcome(limiter.check('c', [user('u', 2)], null))).toBe('ok');
    expect(await outcome(limiter.check('c', [user('u', 2)], null))).toMatch(/^429/);
  });

  it("a user over their own limit does not use up their IP's allowance, shared with their neighbours", async () => {
    const limiter = new ParticipationRateLimiter({ redis: null });
    const ip: RateCheck = { dimension: 'ip', spec: { points: 3, durationSec: 60 }, key: '203.0.113.9' };
    const run = (u: string) => outcome(limiter.check('c', [user(u, 1), ip], null));
    expect(await run('abuser')).toBe('ok');
    for (let i = 0; i < 5; i++) expect(await run('abuser')).toMatch(/^429/);
    expect(await run('neighbour-1')).toBe('ok');
    expect(await run('neighbour-2')).toBe('ok');
    expect(await run('neighbour-3')).toMatch(/^429/);
  });

  it('Retry-After is the longest wait, including a later limit already full that the refusal did not ask', async () => {
    const limiter = new ParticipationRateLimiter({ redis: null });
    const shortUser: RateCheck = { dimension: 'user', spec: { points: 1, durationSec: 10 }, key: 'u' };
    const ip: RateCheck = { dimension: 'ip', spec: { points: 1, durationSec: 60 }, key: '203.0.113.9' };
    expect(await outcome(limiter.check('c', [shortUser, ip], null))).toBe('ok');
    expect(await outcome(limiter.check('c', [shortUser, ip], null))).toMatch(/^429:(59|60)$/);
  });
});

describe('ParticipationRateLimiter on Redis', () => {
  it('counts in Redis under keys that carry the campaign hash tag', async () => {
    const redis = new FakeRedis();
    const limiter = new ParticipationRateLimiter({ redis: redis.asRedis(), keyPrefix: 't:' });
    expect(await outcome(limiter.check('spring-sale', [user('u:1')], campaignWide(100)))).toBe('ok');
    expect(redis.keys).toEqual([
      't:{spring-sale}:rl:user:5per60:u%003a1',
      't:{spring-sale}:rl:campaign:100per60:all',
    ]);
  });

  it('Retry-After comes from the Redis window, and a key over its limit is then refused locally', async () => {
    const redis = new FakeRedis();
    const limiter = new ParticipationRateLimiter({ redis: redis.asRedis() });
    for (let i = 0; i < 2; i++) expect(await outcome(limiter.check('c', [user('u', 2)], null))).toBe('ok');
    expect(redis.calls).toBe(2);
    // The first request over the limit asks Redis, which refuses it; from then on the local cap answers.
    expect(await outcome(limiter.check('c', [user('u', 2)], null))).toMatch(/^429:(42|41)$/);
    expect(redis.calls).toBe(3);
    expect(await outcome(limiter.check('c', [user('u', 2)], null))).toMatch(/^429:(42|41)$/);
    expect(redis.calls).toBe(3); // the local cap answered without a round trip
  });

  it('Redis down: 503 dependency_unavailable while under the limits, 429 once the in-memory insurance limit is hit', async () => {
    const redis = new FakeRedis();
    redis.status = 'end';
    const errors: unknown[] = [];
    const limiter = new ParticipationRateLimiter({
      redis: redis.asRedis(),
      onStoreError: (e) => errors.push(e),
    });
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(await outcome(limiter.check('c', [user('u', 3)], campaignWide(100))));
    expect(results.slice(0, 3)).toEqual(['503', '503', '503']);
    expect(results[3]).toMatch(/^429:\d+$/);
    expect(results[4]).toMatch(/^429:\d+$/);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('Redis failing mid-request: the 503 gives back the points the limits before it took in Redis', async () => {
    const redis = new FakeRedis();
    redis.failing = (key) => key.includes(':campaign:');
    const limiter = new ParticipationRateLimiter({ redis: redis.asRedis(), onStoreError: () => undefined });
    expect(await outcome(limiter.check('c', [user('u', 2)], campaignWide(100)))).toBe('503');
    // The user's point was taken, then the campaign-wide limit's Redis call failed: each such 503 cost a point.
    expect(redis.count(':user:')).toBe(0);
  });

  it('Redis slow: an answer later than storeTimeoutMs is a failure (503), and Redis is left alone during the cooldown, then asked again', async () => {
    const redis = new FakeRedis();
    redis.mode = 'hang';
    let now = 0;
    const limiter = new ParticipationRateLimiter({
      redis: redis.asRedis(),
      storeTimeoutMs: 10,
      cooldownMs: 1000,
      now: () => now,
    });
    expect(await outcome(limiter.check('c', [user('u')], null))).toBe('503');
    expect(redis.calls).toBe(1);
    now = 500;
    expect(await outcome(limiter.check('c', [user('u')], null))).toBe('503');
    expect(redis.calls).toBe(1);
    now = 1000;
    redis.mode = 'ok';
    expect(await outcome(limiter.check('c', [user('v')], null))).toBe('ok');
    expect(redis.calls).toBe(2);
  });

  it('Redis down under a flood: the outage is reported when it starts, once a minute while it lasts, and when Redis answers again, not once per request', async () => {
    const redis = new FakeRedis();
    redis.status = 'end';
    let now = 0;
    const reports: Array<{ failures: number; durationMs: number }> = [];
    const recoveries: Array<{ failures: number; durationMs: number }> = [];
    const limiter = new ParticipationRateLimiter({
      redis: redis.asRedis(),
      cooldownMs: 1000,
      now: () => now,
      onStoreError: (_error, outage) => reports.push(outage),
      onStoreRecovered: (outage) => recoveries.push(outage),
    });
    const flood = (users: number): Promise<string[]> =>
      Promise.all(
        Array.from({ length: users }, (_, i) =>
          outcome(limiter.check('c', [user(`u${now}-${i}`, 1000)], campaignWide(1_000_000))),
        ),
      );
    // 200 parallel requests a second for 90 s: every one is a 503, each second's probe fails.
    for (; now < 90_000; now += 1000) expect(new Set(await flood(200))).toEqual(new Set(['503']));
    expect(reports).toEqual([
      { failures: 1, durationMs: 0 },
      { failures: expect.any(Number) as number, durationMs: 60_000 },
    ]);
    expect(recoveries).toEqual([]);
    redis.status = 'ready';
    expect(new Set(await flood(200))).toEqual(new Set(['ok']));
    expect(reports).toHaveLength(2);
    expect(recoveries).toEqual([{ failures: expect.any(Number) as number, durationMs: 90_000 }]);
    expect(recoveries[0]?.failures).toBeGreaterThanOrEqual(90);
  });
});
