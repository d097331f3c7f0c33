/**
 * Assembles delivery and reconciliation for the composition root (src/server.ts) and the CLI: issuers, the
 * relay, alerts, both reconcilers, the void service, the discrepancy resolver and the worker with its lease and
 * jobs.
 */
import { currentAndPrevious, issuerSigning, type Config } from '../config';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../delivery/backoff';
import { DeliveryService } from '../delivery/delivery-service';
import { IssuerDirectory } from '../delivery/issuer-directory';
import { OutboxRelay, type RelaySettings } from '../delivery/outbox-relay';
import { RewardTerms } from '../delivery/reward-terms';
import type { HotState } from '../hot-state/hot-state';
import { createRedisClient } from '../hot-state/redis-client';
import { AlertService } from '../integrations/alert-service';
import { KnexNotificationStore } from '../integrations/knex-notification-store';
import { KnexSandboxIssuedStore } from '../integrations/knex-sandbox-issued-store';
import type { Notifier } from '../integrations/notifier';
import { SandboxIssuer } from '../integrations/sandbox-issuer';
import { WebhookNotifier } from '../integrations/webhook-notifier';
import type { AuditStore } from '../ledger/audit-store';
import {
  isPostgres,
  LEDGER_SCAN_DEADLINE_MS,
  LEDGER_STATEMENT_DEADLINE_MS,
  withStatementDeadline,
  type Db,
} from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { KnexAuditStore } from '../ledger/knex-audit-store';
import { KnexCampaignVersionStore } from '../ledger/knex-campaign-version-store';
import type { OutboxStore } from '../ledger/outbox-store';
import { AlertEvaluator, type AlertSettings } from '../observability/alerts/alert-evaluator';
import { KnexAlertEpisodeStore } from '../observability/alerts/knex-alert-episode-store';
import { KnexRequestStatsStore } from '../observability/alerts/knex-request-stats-store';
import { KnexSpendReads } from '../observability/alerts/knex-spend-reads';
import type { Logger } from '../observability/logger';
import { repeatLimitedWarn } from '../observability/repeat-filter';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { StillLeader } from '../shared/still-leader';
import type { CounterRebuilder } from './counter-rebuilder';
import { DiscrepancyResolver } from './discrepancy-resolver';
import { GrantVoidService } from './grant-void-service';
import { JobScheduler } from './job-scheduler';
import { KnexDiscrepancyStore } from './knex-discrepancy-store';
import { KnexLease } from './knex-lease';
import { KnexReconcileRunStore } from './knex-reconcile-run-store';
import { KnexReconciliationReads } from './knex-reconciliation-reads';
import type { Lease } from './lease';
import { processHolder } from './lease-holder';
import { LeaseKeeper } from './lease-keeper';
import { OfflineReconciler, type OfflineSettings } from './offline-reconciler';
import { RealtimeReconciler, type RealtimeSettings } from './realtime-reconciler';
import { RedisLease } from './redis-lease';
import { Worker } from './worker';

const SCHEDULER_LEASE = 'scheduler';

export interface WorkerDeps {
  config: Pick<
    Config,
    | 'issuerUrls'
    | 'issuerSecrets'
    | 'issuerTimeoutMs'
    | 'notifyUrl'
    | 'secrets'
    | 'previousSecrets'
    | 'reconcileCron'
    | 'offlineReconcileCron'
    | 'redisUrl'
  >;
  db: Db;
  registry: {
    list(): CampaignSnapshot[];
    get(campaignId: string): CampaignSnapshot | undefined;
    refresh?(): Promise<void>;
  };
  /**
   * `pocket worker` alone: reload the registry this often (ms) while the worker runs. Unset in the service process,
   * which reloads the registry it shares with the worker itself.
   */
  registryRefreshMs?: number;
  /**
   * The service's hot state, when this process shares it (Redis, or the embedded in-memory one in the service
   * process); null otherwise: real-time reconciliation and the void give-back are left to the service.
   */
  hot: { hotState: HotState; rebuilder: CounterRebuilder } | null;
  grants: GrantStore;
  outbox: OutboxStore;
  audit?: AuditStore;
  logger: Logger;
  clock: () => Date;
  random?: () => number;
  /** Tests: a lease over their own Redis keys, a notifier stand-in, tighter settings. */
  lease?: Lease;
  notifier?: Notifier | null;
  backoff?: Partial<BackoffPolicy>;
  relay?: Partial<RelaySettings> & { relayId?: string; pollMs?: number };
  realtime?: Partial<RealtimeSettings>;
  offline?: Partial<OfflineSettings>;
  leaseTtlMs?: number;
  /** Thresholds of the burn-rate and error-spike alerts. */
  alertSettings?: Partial<AlertSettings>;
}

export interface WorkerParts {
  sandbox: SandboxIssuer;
  /** The sandbox's HTTP face (/sandbox/issuer): the same store, listing only what reached it over HTTP. */
  sandboxOverHttp: SandboxIssuer;
  issuers: IssuerDirectory;
  alerts: AlertService;
  delivery: DeliveryService;
  relay: OutboxRelay;
  realtime: RealtimeReconciler | null;
  offline: OfflineReconciler;
  voids: GrantVoidService;
  /** A person closes an open discrepancy with a note (audited). */
  resolver: DiscrepancyResolver;
  keeper: LeaseKeeper;
  scheduler: JobScheduler;
  worker: Worker;
  discrepancies: KnexDiscrepancyStore;
  runs: KnexReconcileRunStore;
  notifications: KnexNotificationStore;
  /** Burn rate, stock exhausted and error spikes, once per episode with a recovery (the `alerts` job). */
  alertEvaluator: AlertEvaluator;
  /** Closes what the parts opened themselves (the lease's Redis client). */
  close(): Promise<void>;
}

function defaultLease(deps: WorkerDeps, db: Db): Lease {
  if (deps.lease) return deps.lease;
  if (deps.config.redisUrl) {
    // Connected on first use: a pocket that never starts its worker opens no connection for it.
    const client = createRedisClient(deps.config.redisUrl, {
      lazyConnect: true,
      onError: repeatLimitedWarn(deps.logger, 'redis (lease) connection error'),
    });
    return new RedisLease(client, 'pocket:lease:', true);
  }
  return new KnexLease(db, deps.clock);
}

export function createWorker(deps: WorkerDeps): WorkerParts {
  const { logger, clock, config } = deps;
  // Every statement of the worker has a deadline, those of its transactions included: a relay batch, a job's turn
  // or a lease renewal stuck on a connection that went silent (a failover) used to wait until TCP gave up, the
  // relay and that job stopped meanwhile (one batch, one run at a time), and SIGTERM waited for them. The relay's
  // are short (its claim renewal must be answered within the send claim's slack, SEND_SLACK_MS); the jobs' reads
  // scan a campaign's or a day's grants.
  const db = withStatementDeadline(deps.db, LEDGER_STATEMENT_DEADLINE_MS);
  const scans = withStatementDeadline(deps.db, LEDGER_SCAN_DEADLINE_MS);
  const random = deps.random ?? Math.random;
  const sandboxStore = new KnexSandboxIssuedStore();
  const sandbox = new SandboxIssuer({ db, store: sandboxStore, clock });
  const sandboxOverHttp = new SandboxIssuer({ db, store: sandboxStore, clock, channel: 'http' });
  // Issuers get requests signed as webhooks are, each with its own secret, or WEBHOOK_SECRET when it has none
  // (README, "Delivery and reconciliation").
  const issuers = IssuerDirectory.fromConfig(config.issuerUrls, config.issuerTimeoutMs, sandbox, {
    forType: (type) => issuerSigning(config, type),
    clock,
  });
  const notifications = new KnexNotificationStore();
  const notifier =
    deps.notifier !== undefined
      ? deps.notifier
      : config.notifyUrl
        ? new WebhookNotifier({
            url: config.notifyUrl,
            secret: () => currentAndPrevious(config, 'webhook'),
            clock,
          })
        : null;
  const alerts = new AlertService({
    db,
    store: notifications,
    notifier,
    subscriptions: (campaignId) => deps.registry.get(campaignId)?.definition.notify?.on,
    clock,
    logger,
  });
  const discrepancies = new KnexDiscrepancyStore();
  const runs = new KnexReconcileRunStore();
  const reads = new KnexReconciliationReads();
  const delivery = new DeliveryService({
    db,
    grants: deps.grants,
    outbox: deps.outbox,
    issuers,
    terms: new RewardTerms(db, new KnexCampaignVersionStore()),
    discrepancies,
    alerts,
    clock,
    random,
    policy: { ...DEFAULT_BACKOFF, ...deps.backoff },
    logger,
  });
  const relay = new OutboxRelay({
    db,
    outbox: deps.outbox,
    delivery,
    clock,
    logger,
    ...(deps.relay?.relayId ? { relayId: deps.relay.relayId } : {}),
    ...(deps.relay ? { settings: deps.relay } : {}),
  });
  const realtime = deps.hot
    ? new RealtimeReconciler({
        db: scans,
        registry: deps.registry,
        hotState: deps.hot.hotState,
        rebuilder: deps.hot.rebuilder,
        grants: deps.grants,
        reads,
        discrepancies,
        runs,
        alerts,
        clock,
        logger,
        ...(deps.realtime ? { settings: deps.realtime } : {}),
      })
    : null;
  const offline = new OfflineReconciler({
    db: scans,
    issuers,
    grants: deps.grants,
    outbox: deps.outbox,
    reads,
    discrepancies,
    runs,
    alerts,
    clock,
    logger,
    ...(deps.offline ? { settings: deps.offline } : {}),
  });
  const audit = deps.audit ?? new KnexAuditStore();
  const voids = new GrantVoidService({
    db: scans,
    grants: deps.grants,
    outbox: deps.outbox,
    audit,
    discrepancies,
    hot: deps.hot,
    clock,
  });
  const resolver = new DiscrepancyResolver({ db: scans, discrepancies, audit, clock });
  const refresh = deps.registry.refresh?.bind(deps.registry);
  const alertEvaluator = new AlertEvaluator({
    db: scans,
    registry: deps.registry,
    alerts,
    episodes: new KnexAlertEpisodeStore(),
    stats: new KnexRequestStatsStore(),
    spend: new KnexSpendReads(),
    grants: deps.grants,
    clock,
    logger,
    ...(deps.alertSettings ? { settings: deps.alertSettings } : {}),
  });
  const lease = defaultLease(deps, db);
  const keeper = new LeaseKeeper(lease, SCHEDULER_LEASE, processHolder(), deps.leaseTtlMs ?? 30_000, logger);
  const scheduler = new JobScheduler(
    [
      ...(realtime
        ? [
            {
              name: 'realtime-reconcile',
              cron: config.reconcileCron,
              source: 'RECONCILE_CRON',
              run: (stillLeader: StillLeader) => realtime.run(stillLeader),
            },
          ]
        : []),
      {
        name: 'offline-reconcile',
        cron: config.offlineReconcileCron,
        source: 'OFFLINE_RECONCILE_CRON',
        run: (stillLeader) => offline.run({ scheduled: true, stillLeader }),
      },
      {
        name: 'notifications',
        cron: '* * * * *',
        run: (stillLeader) => alerts.retryPending(undefined, stillLeader),
      },
      { name: 'alerts', cron: '* * * * *', run: (stillLeader) => alertEvaluator.run(stillLeader) },
    ],
    keeper,
    logger,
    (job, turn) => logger.debug({ job, turn }, 'scheduled turn'),
  );
  const worker = new Worker({
    relay,
    scheduler,
    keeper,
    realtime,
    alerts,
    relayNeedsLease: !isPostgres(db),
    pollMs: deps.relay?.pollMs ?? 1000,
    registryRefresh:
      deps.registryRefreshMs !== undefined && refresh
        ? {
            refresh,
            everyMs: deps.registryRefreshMs,
            onError: repeatLimitedWarn(logger, 'registry refresh failed'),
          }
        : null,
  });
  return {
    sandbox,
    sandboxOverHttp,
    issuers,
    alerts,
    delivery,
    relay,
    realtime,
    offline,
    voids,
    resolver,
    keeper,
    scheduler,
    worker,
    discrepancies,
    runs,
    notifications,
    alertEvaluator,
    async close() {
      await worker.stop();
      await lease.close();
    },
  };
}
