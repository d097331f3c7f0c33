/**
 * What the worker verbs (worker, reconcile, grants void) run on: the ledger of this environment, the live
 * registry read from it, the shared hot state when there is one (REDIS_URL), and the delivery and
 * reconciliation parts. Without Redis the hot state is the service process's own memory: the real-time
 * reconciliation and the void give-back then happen in that process (the embedded `npm start` runs both).
 */
import { currentAndPrevious, issuerSigning, loadConfig, type Config, type RewardKind } from '../src/config';
import type { HotState } from '../src/hot-state/hot-state';
import {
  counterRebuilder,
  createStores,
  type LedgerWaits,
  ledgerRegistry,
  openLedgerDb,
  sharedHotState,
} from '../src/backends';
import { isPostgres, type Db } from '../src/ledger/db';
import { migrate, type PendingMigrations } from '../src/ledger/migrate';
import { createLogger, type Logger } from '../src/observability/logger';
import type { LiveRegistry } from '../src/publishing/live-registry';
import { createWorker, type WorkerParts } from '../src/reconciliation/create-worker';
import { CLOSE_TIMEOUT_MS } from '../src/server';
import { settledWithin } from '../src/shared/settled-within';
import { checkBackends, redactUrl } from './check-backends';
import { refuseServerWithoutLedger, withVerbDeadline } from './ledger-session';

export interface WorkerRuntime {
  config: Config;
  /** The ledger with the one-shot verbs' deadline (withVerbDeadline), for a verb's own statements. */
  db: Db;
  logger: Logger;
  registry: LiveRegistry;
  hotState: HotState | null;
  /** Why REDIS_URL could not be reached at boot (with redisOutage 'tolerate'); null when it answered or is unset. */
  redisUnreachable: string | null;
  parts: WorkerParts;
  close(): Promise<void>;
}

export interface WorkerRuntimeOptions {
  logLevel?: string;
  /**
   * One-shot verbs (`reconcile`, `grants void|redeliver`): in production each secret is checked when read
   * (loadConfig's secretsOnUse), so only a verb that signs webhooks or issuer requests (NOTIFY_URL or an
   * ISSUER_*_URL set, and `sends`) needs WEBHOOK_SECRET, and only for NOTIFY_URL and the issuers without an
   * ISSUER_<TYPE>_SECRET.
   * `pocket worker` checks them all at boot, as the service does.
   */
  secretsOnUse?: boolean;
  /**
   * Whether the verb may send to an issuer or NOTIFY_URL (`reconcile` reads every issuer and raises alerts).
   * Then the secrets that sign those requests (each issuer's, WEBHOOK_SECRET) are read as the runtime opens, so a
   * verb without one stops at once naming it, before it connects to anything. false: the verb only writes the
   * ledger (`grants void`, `grants redeliver`, which leaves the sending to the relay) and never reads it.
   * Default true.
   */
  sends?: boolean;
  /**
   * false: the verb never touches the hot state (`reconcile`, `grants redeliver` work on the ledger and the
   * issuers only), so REDIS_URL is neither checked nor connected: the on-call engineer can reconcile while Redis
   * is down. Default true.
   */
  hotState?: boolean;
  /**
   * 'tolerate' (`pocket worker`): an unreachable REDIS_URL (refused, timed out) does not stop the boot. One warn
   * says what waits for Redis; the relay delivers meanwhile, and the lease and the scheduled jobs start by
   * themselves once Redis answers (the clients reconnect in the background). 'once' (`pocket worker --once`):
   * the same, but the warn says what this one pass leaves out. A configuration error (a refused password or
   * database index) still stops it. Default 'refuse'.
   */
  redisOutage?: 'refuse' | 'tolerate' | 'once';
  /**
   * 'apply' (`pocket worker`, one of the service's own processes): brings the ledger to this pocket's schema.
   * Default 'refuse': the one-shot verbs stop on a ledger behind it (see migrate).
   */
  pendingMigrations?: PendingMigrations;
  /**
   * 'worker' (`pocket worker`): a write waits for another program's lock on the SQLite ledger on timers, so the
   * relay's issuer calls, the lease renewals and the cron turns go on meanwhile (openLedgerDb). Default 'verb':
   * SQLite's busy_timeout, which blocks a verb that has nothing else to do.
   */
  ledgerWaits?: Exclude<LedgerWaits, 'service'>;
}

/** The one warn of a worker booting while REDIS_URL is unreachable: what waits, and what still runs. */
function warnRedisDown(logger: Logger, db: Db, redisUrl: string, unreachable: string, once: boolean): void {
  if (once) {
    logger.warn(
      { redisUrl: redactUrl(redisUrl), degraded: ['real-time reconciliation'] },
      `${unreachable}; pocket worker --once drains the outbox and resends webhooks without Redis, but skips the ` +
        'real-time reconciliation (it compares the hot counters in Redis with the ledger) and exits 1',
    );
    return;
  }
  const relayWaits = !isPostgres(db);
  logger.warn(
    {
      redisUrl: redactUrl(redisUrl),
      degraded: ['scheduler lease', 'scheduled jobs', ...(relayWaits ? ['relay'] : [])],
    },
    `${unreachable}; pocket worker runs without Redis until it answers: ` +
      (relayWaits
        ? 'nothing is delivered (on SQLite only the scheduler lease holder relays) and '
        : 'the relay delivers grants (it needs only the ledger and the issuers), but ') +
      'the scheduled jobs (reconciliation, webhook retries, alerts) wait for the scheduler lease, held in Redis; ' +
      'they start by themselves when Redis is back, no restart needed',
  );
}

/**
 * Reads the secrets a verb that sends signs its requests with, as the worker's senders will: each configured
 * issuer's (issuerSigning: its own, or WEBHOOK_SECRET), and WEBHOOK_SECRET for NOTIFY_URL. In production, one
 * missing stops the verb here naming it (loadConfig's secretsOnUse).
 */
function checkSigningSecrets(config: Config): void {
  for (const kind of Object.keys(config.issuerUrls) as RewardKind[]) issuerSigning(config, kind).secrets();
  if (config.notifyUrl !== null) currentAndPrevious(config, 'webhook');
}

async function openWorkerRuntime(options: WorkerRuntimeOptions = {}): Promise<WorkerRuntime> {
  const loaded = loadConfig(process.env, process.cwd(), { secretsOnUse: options.secretsOnUse === true });
  if (options.sends !== false) checkSigningSecrets(loaded);
  const config = options.hotState === false ? { ...loaded, redisUrl: null } : loaded;
  const outage = options.redisOutage ?? 'refuse';
  const { redisUnreachable } = await checkBackends(config, {
    redisOutage: outage === 'refuse' ? 'refuse' : 'tolerate',
  });
  // Logs go to stderr: stdout carries the command's output (--format json).
  const logger = createLogger(options.logLevel ?? config.logLevel, process.stderr);
  const db = openLedgerDb(config, logger, options.ledgerWaits ?? 'verb');
  if (config.redisUrl && redisUnreachable)
    warnRedisDown(logger, db, config.redisUrl, redisUnreachable, outage === 'once');
  const hotState = sharedHotState(config, logger);
  try {
    await migrate(db, options.pendingMigrations ?? 'refuse');
    const stores = createStores();
    const registry = ledgerRegistry(db, stores);
    await registry.refresh();
    const parts = createWorker({
      config,
      db,
      registry,
      // Publishes, pauses and stock raises reach a long-running worker's jobs and alerts within seconds.
      registryRefreshMs: 5000,
      hot: hotState ? { hotState, rebuilder: counterRebuilder(hotState, db, stores, logger) } : null,
      grants: stores.grants,
      outbox: stores.outbox,
      audit: stores.audit,
      logger,
      clock: () => new Date(),
    });
    return {
      config,
      db: withVerbDeadline(db),
      logger,
      registry,
      hotState,
      redisUnreachable,
      parts,
      async close() {
        // The relay's batch and the jobs in progress get SHUTDOWN_GRACE_MS, the pools CLOSE_TIMEOUT_MS, as in
        // `pocket serve`: what is still open then (a statement stuck on a ledger that went silent, which the pool
        // waits for) is left, and `pocket worker` exits anyway.
        if (!(await settledWithin(parts.close(), config.shutdownGraceMs))) {
          logger.warn(
            `relay batch and scheduled jobs in progress not finished within SHUTDOWN_GRACE_MS ` +
              `(${config.shutdownGraceMs} ms): left as they are`,
          );
        }
        const pools = (async () => {
          await hotState?.close().catch(() => undefined);
          await db.destroy();
        })();
        if (!(await settledWithin(pools, CLOSE_TIMEOUT_MS))) {
          logger.warn(`pools not closed within ${CLOSE_TIMEOUT_MS} ms: left as they are`);
        }
      },
    };
  } catch (error) {
    await hotState?.close().catch(() => undefined);
    await db.destroy();
    throw error;
  }
}

export async function withWorkerRuntime<T>(
  fn: (runtime: WorkerRuntime) => Promise<T>,
  options: WorkerRuntimeOptions = {},
): Promise<T> {
  // `grants void|redeliver`, `reconcile`: verbs on a ledger (the worker's own environment names its ledger).
  if ((options.ledgerWaits ?? 'verb') === 'verb') refuseServerWithoutLedger();
  const runtime = await openWorkerRuntime(options);
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}
