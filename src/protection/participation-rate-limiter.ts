/**
 * Rate limits of the participation pipeline, with rate-limiter-flexible: RateLimiterRedis (a counter per
 * key and window, one Lua call; keys `<prefix>{<campaign>}:rl:…` share the campaign's hash tag) or
 * RateLimiterMemory in the embedded mode.
 *
 * Local cap: a key that Redis refused (a request over its limit) is blocked in process memory until its window
 * ends (`inMemoryBlockOnConsumed`), so a hammering client costs no Redis round trip. Not the request that takes the
 * last point: a later limit may refuse that one and give the point back, which the memory block would not see.
 *
 * Redis slow or down: a store call that fails or takes longer than `storeTimeoutMs` opens a short circuit
 * (`cooldownMs`) during which Redis is not asked at all. Meanwhile an in-memory insurance limiter with the
 * same limits stays in force, per process: over it → 429 with Retry-After; under it → 503
 * dependency_unavailable. Participation fails closed (its hot state is Redis too), and a flood is still
 * told to back off instead of being invited to retry at once. An outage is reported when it starts, then at
 * most once a minute, and when Redis answers again: not once per failed call.
 */
import type { Cluster, Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { DependencyUnavailableError, RateLimitedError } from '../errors/app-error';
import { encodeKeyPart } from '../hot-state/redis-keys';
import type { RateCheck } from './rate-checks';
import { retryAfterSeconds } from './rate-spec';

export interface ParticipationRateLimiterOptions {
  /** null: memory only (embedded mode, one process). */
  redis: Redis | Cluster | null;
  /** Prepended to every key, before the `{campaign}` hash tag. Default 'pocket:'. */
  keyPrefix?: string;
  /** A Redis answer slower than this counts as a failure. Default 250 ms. */
  storeTimeoutMs?: number;
  /** After a failure, Redis is not asked for this long. Default 1000 ms. */
  cooldownMs?: number;
  now?: () => number;
  /**
   * Redis failed: called once when an outage starts (the first failure after an answer) and then at most once
   * per `reportEveryMs` while it lasts, never once per request, so a flash sale's traffic during an outage does
   * not flood the log. `failures` counts the failed calls since the outage started.
   */
  onStoreError?: (error: unknown, outage: StoreOutage) => void;
  /** Redis answered again after an outage. */
  onStoreRecovered?: (outage: StoreOutage) => void;
  /** Default 60,000 ms. */
  reportEveryMs?: number;
}

export interface StoreOutage {
  /** Failed store calls since the outage started. */
  failures: number;
  /** How long the outage has lasted, in ms. */
  durationMs: number;
}

interface Limiters {
  store: RateLimiterAbstract;
  /** Only with Redis: the per-process limiter that stays in force while Redis is unavailable. */
  insurance: RateLimiterMemory | null;
}

type Consumed = ({ kind: 'ok' } | { kind: 'limited'; msBeforeNext: number } | { kind: 'degraded' }) & {
  /** Gives the point back (ok, or degraded under the insurance limit); absent when nothing was taken. */
  refund?: () => Promise<unknown>;
};

class StoreTimeout extends Error {}

/**
 * `promise`, or StoreTimeout when it has not settled `ms` after the call. The timeout is judged after the event
 * loop has read the sockets (setImmediate runs after the poll phase): a burst that keeps the loop busy past `ms`
 * fires the timer before the answer Redis already sent is read, and 1 s of 503s followed on a healthy Redis.
 */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => setImmediate(() => reject(new StoreTimeout(`rate limit store slower than ${ms} ms`))),
      ms,
    );
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error || error instanceof RateLimiterRes ? error : new Error(String(error)));
      },
    );
  });
}

export class ParticipationRateLimiter {
  private readonly limiters = new Map<string, Limiters>();
  private readonly keyPrefix: string;
  private readonly storeTimeoutMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private redisDownUntil = 0;
  private outage: { since: number; failures: number; reportedAt: number } | null = null;

  constructor(private readonly options: ParticipationRateLimiterOptions) {
    this.keyPrefix = options.keyPrefix ?? 'pocket:';
    this.storeTimeoutMs = options.storeTimeoutMs ?? 250;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Consumes one point of each check in turn (user, device, IP, then the campaign-wide one), each only once the
   * ones before it let the request through, and gives back the points taken when a later one refuses: a refused
   * request keeps no point of any limit but the one that refused it. So a user over their own limit never uses
   * up their device's or IP's allowance (which the other users behind that address share), nor the campaign's,
   * and a user refused for the campaign-wide limit keeps their own. Throws RateLimitedError (429, Retry-After =
   * the longest wait among the refusing limit and the later narrow limits already full; the campaign-wide one is
   * not read for a narrow refusal, as it was never asked for one) or DependencyUnavailableError.
   */
  async check(campaignId: string, narrow: readonly RateCheck[], campaign: RateCheck | null): Promise<void> {
    const checks = campaign ? [...narrow, campaign] : narrow;
    const taken: Consumed[] = [];
    for (const [i, check] of checks.entries()) {
      const result = await this.consume(campaignId, check);
      if (result.kind === 'limited') {
        const [waits] = await Promise.all([
          Promise.all(narrow.slice(i + 1).map((c) => this.waitOf(campaignId, c))),
          Promise.all(taken.map((r) => r.refund?.().catch(() => undefined))),
        ]);
        const wait = Math.max(result.msBeforeNext, ...waits);
        throw new RateLimitedError(retryAfterSeconds(wait), 'too many requests; retry later');
      }
      taken.push(result);
    }
    if (taken.some((r) => r.kind === 'degraded')) {
      // A 503 changes nothing: the Redis points taken before Redis failed are given back (best effort: it may
      // still be down). The insurance limiter's points stay taken, as they bound what an outage lets through.
      await Promise.all(
        taken.map((r) => (r.kind === 'ok' ? r.refund?.().catch(() => undefined) : undefined)),
      );
      throw new DependencyUnavailableError(
        'hot-state',
        'rate limits cannot be checked: Redis is unavailable',
      );
    }
  }

  /**
   * How long a limit not yet asked stays full (0 when it is not): read, never consumed, for Retry-After only, so
   * a client that waits as told is not refused at once by the next limit. Best effort: a failed read is 0.
   */
  private async waitOf(campaignId: string, check: RateCheck): Promise<number> {
    const limiters = this.limitersFor(campaignId, check);
    const limiter =
      limiters.insurance && this.now() < this.redisDownUntil ? limiters.insurance : limiters.store;
    try {
      const res = await withTimeout(limiter.get(encodeKeyPart(check.key)), this.storeTimeoutMs);
      return res && res.consumedPoints >= check.spec.points ? res.msBeforeNext : 0;
    } catch {
      return 0;
    }
  }

  private async consume(campaignId: string, check: RateCheck): Promise<Consumed> {
    const limiters = this.limitersFor(campaignId, check);
    const key = encodeKeyPart(check.key);
    if (!limiters.insurance) return this.consumeOn(limiters.store, key);
    if (this.now() >= this.redisDownUntil) {
      try {
        await withTimeout(limiters.store.consume(key), this.storeTimeoutMs);
        this.storeAnswered();
        const store = limiters.store;
        return { kind: 'ok', refund: () => withTimeout(store.reward(key), this.storeTimeoutMs) };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          this.storeAnswered();
          return { kind: 'limited', msBeforeNext: error.msBeforeNext };
        }
        this.storeFailed(error);
      }
    }
    const local = await this.consumeOn(limiters.insurance, key);
    return local.kind === 'limited'
      ? local
      : { kind: 'degraded', ...(local.refund ? { refund: local.refund } : {}) };
  }

  private storeFailed(error: unknown): void {
    const now = this.now();
    this.redisDownUntil = now + this.cooldownMs;
    const outage = this.outage ?? { since: now, failures: 0, reportedAt: -Infinity };
    this.outage = outage;
    outage.failures++;
    if (now - outage.reportedAt < (this.options.reportEveryMs ?? 60_000)) return;
    outage.reportedAt = now;
    this.options.onStoreError?.(error, { failures: outage.failures, durationMs: now - outage.since });
  }

  private storeAnswered(): void {
    const outage = this.outage;
    if (!outage) return;
    this.outage = null;
    this.options.onStoreRecovered?.({ failures: outage.failures, durationMs: this.now() - outage.since });
  }

  private async consumeOn(limiter: RateLimiterAbstract, key: string): Promise<Consumed> {
    try {
      await limiter.consume(key);
      return { kind: 'ok', refund: () => limiter.reward(key) };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { kind: 'limited', msBeforeNext: error.msBeforeNext };
      throw error;
    }
  }

  private limitersFor(campaignId: string, check: RateCheck): Limiters {
    const { points, durationSec } = check.spec;
    const name = `${this.keyPrefix}{${encodeKeyPart(campaignId)}}:rl:${check.dimension}:${points}per${durationSec}`;
    let limiters = this.limiters.get(name);
    if (!limiters) {
      const memory = (): RateLimiterMemory =>
        new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec });
      limiters = this.options.redis
        ? {
            store: new RateLimiterRedis({
              storeClient: this.options.redis,
              keyPrefix: name,
              points,
              duration: durationSec,
              rejectIfRedisNotReady: true,
              // Not `points`: the request taking the last point may be refused by a later limit and give it back,
              // and reward() leaves the memory block in place (the key was refused here until its window ended).
              inMemoryBlockOnConsumed: points + 1,
            }),
            insurance: memory(),
          }
        : { store: memory(), insurance: null };
      this.limiters.set(name, limiters);
    }
    return limiters;
  }
}
