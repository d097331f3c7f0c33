/**
 * The backends the service and the worker verbs stand on, built one way for both: the ledger, its stores, the
 * shared hot state, the live registry read from the ledger and the counter rebuilder. The service's composition
 * root (server.ts) and the worker verbs' (cli/worker-runtime.ts) both start here, so that they can never disagree
 * on how the ledger or Redis is reached.
 */
import type { Config } from './config';
import type { HotState } from './hot-state/hot-state';
import { RedisHotState } from './hot-state/redis-hot-state';
import {
  createDb,
  LEDGER_SCAN_DEADLINE_MS,
  LEDGER_STATEMENT_DEADLINE_MS,
  LEDGER_WAIT_MS,
  withStatementDeadline,
  type Db,
} from './ledger/db';
import { KnexAuditStore } from './ledger/knex-audit-store';
import { KnexCampaignVersionStore } from './ledger/knex-campaign-version-store';
import { KnexGrantStore } from './ledger/knex-grant-store';
import { KnexOutboxStore } from './ledger/knex-outbox-store';
import { KnexParticipationStore } from './ledger/knex-participation-store';
import { ledgerDriverLog } from './observability/ledger-driver-log';
import type { Logger } from './observability/logger';
import { repeatLimitedWarn } from './observability/repeat-filter';
import { LiveRegistry } from './publishing/live-registry';
import { ledgerVersionSource } from './publishing/ledger-version-source';
import { CounterRebuilder, logRebuildFailures } from './reconciliation/counter-rebuilder';

export interface Stores {
  versions: KnexCampaignVersionStore;
  participations: KnexParticipationStore;
  grants: KnexGrantStore;
  outbox: KnexOutboxStore;
  audit: KnexAuditStore;
}

export function createStores(): Stores {
  return {
    versions: new KnexCampaignVersionStore(),
    participations: new KnexParticipationStore(),
    grants: new KnexGrantStore(),
    outbox: new KnexOutboxStore(),
    audit: new KnexAuditStore(),
  };
}

/**
 * How a process of pocket waits on the ledger (openLedgerDb), chosen here once for all of them:
 * - 'service' (`pocket serve`, `npm start`, its worker included): a statement waits at most LEDGER_WAIT_MS for a
 *   pooled connection (PostgreSQL), and a write as long for another process's write lock on the SQLite file, on
 *   timers (sqlite-write-lock.ts); the service answers 503 after it.
 * - 'worker' (`pocket worker`, with or without --once): the same wait for the SQLite write lock, on timers, so
 *   its lease renewals, cron turns and issuer calls' timeouts go on meanwhile; a write that gives up fails its turn
 *   like any other ledger failure, and the next turn tries again. Its PostgreSQL pool keeps knex's own wait for a
 *   connection: every statement of the worker has its deadline (create-worker.ts).
 * - 'verb' (the one-shot verbs): SQLite's 5 s busy_timeout. It blocks the event loop, but a verb has nothing
 *   else to do while it waits: no request to answer, no lease to keep.
 */
export type LedgerWaits = 'service' | 'worker' | 'verb';

/** The ledger of `config` (DATABASE_URL, else the embedded SQLite file), its driver's warnings logged. */
export function openLedgerDb(config: Config, logger: Logger, waits: LedgerWaits): Db {
  return createDb({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqliteFile: config.sqliteFile }),
    ...(waits === 'service' ? { acquireTimeoutMs: LEDGER_WAIT_MS } : {}),
    ...(waits === 'verb' ? {} : { lockWaitMs: LEDGER_WAIT_MS }),
    log: ledgerDriverLog(logger),
  });
}

/** The shared hot state (REDIS_URL), its connection errors logged once per kind; null without Redis. */
export function sharedHotState(config: Config, logger: Logger): HotState | null {
  return config.redisUrl
    ? new RedisHotState(config.redisUrl, {
        client: { onError: repeatLimitedWarn(logger, 'redis connection error') },
      })
    : null;
}

/**
 * The campaigns' active versions and pause overlays as the ledger holds them. Each poll's reads have the statement
 * deadline: the registry refreshes one poll at a time, so one read stuck on a connection that stopped answering
 * (half-open after a failover) held every later poll, and the instance never saw a pause or a publish again.
 */
export function ledgerRegistry(db: Db, stores: Pick<Stores, 'versions'>): LiveRegistry {
  return new LiveRegistry(
    ledgerVersionSource(withStatementDeadline(db, LEDGER_STATEMENT_DEADLINE_MS), stores.versions),
  );
}

/**
 * How long the ledger read of a counter rebuild may take. Longer than a participation's statements (it scans the
 * campaign's grants), but bounded: one rebuild runs per campaign at a time, so a read stuck on a dead connection
 * kept that campaign at 503 until TCP gave up, minutes after the ledger was back.
 */
export const COUNTER_REBUILD_DEADLINE_MS = LEDGER_SCAN_DEADLINE_MS;

/** Rebuilds a campaign's hot counters from the ledger (plus live reservations) when they are missing. */
export function counterRebuilder(
  hotState: HotState,
  db: Db,
  stores: Pick<Stores, 'grants'>,
  logger: Logger,
  deadlineMs = COUNTER_REBUILD_DEADLINE_MS,
): CounterRebuilder {
  const ledger = withStatementDeadline(db, deadlineMs);
  return new CounterRebuilder(
    hotState,
    { campaignCounters: (id) => stores.grants.campaignCounters(ledger, id) },
    logRebuildFailures(logger),
    // The failures are logged (at most once a minute each); so is the recovery, once per campaign.
    (campaignId, liveReservations) =>
      logger.info(
        { campaignId, liveReservations },
        'hot counters loaded from the ledger and live reservations',
      ),
  );
}
