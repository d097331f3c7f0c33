/**
 * Builds the participation guard from configuration (called by the composition root): rate limits on
 * Redis when REDIS_URL is set (memory otherwise), activity codes signed with ACTIVITY_CODE_SECRET (or, during a
 * rotation, ACTIVITY_CODE_SECRET_PREVIOUS), the blocklist and device velocity in the ledger, the HTTP risk
 * client when RISK_URL is set.
 */
import type { Cluster, Redis } from 'ioredis';
import { currentAndPrevious, type Config } from '../config';
import { createRedisClient } from '../hot-state/redis-client';
import { HttpRiskClient } from '../integrations/http-risk-client';
import type { RiskClient } from '../integrations/risk-client';
import { isPostgres, LEDGER_STATEMENT_DEADLINE_MS, withStatementDeadline, type Db } from '../ledger/db';
import { KnexBlocklistStore } from '../ledger/knex-blocklist-store';
import { KnexCodeNonceStore } from '../ledger/knex-code-nonce-store';
import { KnexDeviceAccountStore } from '../ledger/knex-device-account-store';
import type { Logger } from '../observability/logger';
import { repeatLimitedWarn } from '../observability/repeat-filter';
import { ActivityCodeGate } from './activity-code-gate';
import { BlocklistCache } from './blocklist-cache';
import { DeviceVelocity } from './device-velocity';
import { FraudScreen } from './fraud-screen';
import type { ParticipationGuard } from './participation-guard';
import { ParticipationRateLimiter } from './participation-rate-limiter';
import { ProtectionGuard } from './protection-guard';

export interface ProtectionOverrides {
  /** Rate-limit store: a Redis client (the caller keeps it), or null for memory. Default: from REDIS_URL. */
  redis?: Redis | Cluster | null;
  /** Rate-limit key prefix (before the `{campaign}` hash tag). Default 'pocket:'. */
  keyPrefix?: string;
  /** Default: HttpRiskClient when RISK_URL is set. */
  risk?: RiskClient | null;
  /** How stale the blocklist may be (ms). Default 1000. */
  blocklistTtlMs?: number;
  /** Rate-limit store answers slower than this count as failures (ms). Default 250. */
  storeTimeoutMs?: number;
  /** How long a verified API token's row is reused (ms). Default 2000. */
  tokenCacheTtlMs?: number;
}

export interface Protection {
  guard: ParticipationGuard;
  close(): Promise<void>;
}

export function createProtection(
  config: Pick<
    Config,
    'redisUrl' | 'riskUrl' | 'riskTimeoutMs' | 'secrets' | 'previousSecrets' | 'requireClientAuth'
  >,
  deps: { db: Db; clock: () => Date; logger: Logger },
  overrides: ProtectionOverrides = {},
): Protection {
  const { db, clock, logger } = deps;
  const ownRedis =
    overrides.redis === undefined && config.redisUrl
      ? createRedisClient(config.redisUrl, {
          onError: repeatLimitedWarn(logger, 'rate-limit redis connection error'),
        })
      : null;
  const redis = overrides.redis === undefined ? ownRedis : overrides.redis;
  const limiter = new ParticipationRateLimiter({
    redis,
    ...(overrides.keyPrefix === undefined ? {} : { keyPrefix: overrides.keyPrefix }),
    ...(overrides.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: overrides.storeTimeoutMs }),
    onStoreError: (err, outage) =>
      logger.warn({ err, ...outage }, 'rate limits degraded: Redis failed, answering 503'),
    onStoreRecovered: (outage) => logger.info(outage, 'rate limits restored: Redis answers again'),
  });

  // PostgreSQL: a stalled ledger is a 503 for these checks too (src/participation/knex-participation-ledger.ts).
  const deadlineMs = isPostgres(db) ? LEDGER_STATEMENT_DEADLINE_MS : undefined;
  const nonces = new KnexCodeNonceStore();
  const codes = new ActivityCodeGate({
    secrets: currentAndPrevious(config, 'activityCode'),
    isUsed: (campaignId, nonce) => nonces.isUsed(db, campaignId, nonce, deadlineMs),
    clock,
  });

  const blocklistStore = new KnexBlocklistStore();
  // One refresh at a time: one stuck on a silent connection kept the instance on its old list for good (a user
  // blocked since was let in), so its reads give up after the deadline and the next request refreshes again.
  const bounded = withStatementDeadline(db, LEDGER_STATEMENT_DEADLINE_MS);
  const blocklist = new BlocklistCache(
    { revision: () => blocklistStore.revision(bounded), list: () => blocklistStore.list(bounded) },
    overrides.blocklistTtlMs === undefined ? {} : { ttlMs: overrides.blocklistTtlMs },
  );
  const deviceStore = new KnexDeviceAccountStore();
  const devices = new DeviceVelocity(
    {
      accounts: (campaignId, deviceId) => deviceStore.accounts(db, campaignId, deviceId, deadlineMs),
      claim: (claim) => deviceStore.claim(db, claim, deadlineMs),
      release: (campaignId, deviceId, userId) =>
        deviceStore.release(db, { campaignId, deviceId, userId }, deadlineMs),
    },
    { clock },
  );
  const risk =
    overrides.risk !== undefined
      ? overrides.risk
      : config.riskUrl
        ? new HttpRiskClient({ baseUrl: config.riskUrl, timeoutMs: config.riskTimeoutMs })
        : null;
  const fraud = new FraudScreen({
    blocklist,
    devices,
    risk,
    riskMissing: config.requireClientAuth ? 'error' : 'skip',
  });

  return {
    guard: new ProtectionGuard({ limiter, codes, fraud }),
    close: () => {
      ownRedis?.disconnect();
      return Promise.resolve();
    },
  };
}
