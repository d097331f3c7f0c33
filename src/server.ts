/**
 * The composition root: config → db → stores → services → app. Plain constructors, no container.
 * `createPocket` assembles everything (tests pass overrides: an isolated db, a hot state with its own key
 * prefix, a clock); `startPocket` also listens and handles graceful shutdown.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { currentAndPrevious, issuerSecretsInUse, type Config } from './config';
import { counterRebuilder, createStores, ledgerRegistry, openLedgerDb, sharedHotState } from './backends';
import { cryptoRandom, type Random } from './decision/random';
import { createApp } from './http/app';
import { answerClientErrors } from './http/client-error';
import { gracefulClose } from './http/graceful-close';
import { createHttpServer, listen, type RequestTimeouts } from './http/http-server';
import { ListenError, serviceUrl } from './http/listen-error';
import type { HotState } from './hot-state/hot-state';
import { claimInMemoryHotState } from './hot-state/in-memory-owner';
import { MemoryHotState } from './hot-state/memory-hot-state';
import { createRedisClient } from './hot-state/redis-client';
import { FileProfileSource } from './integrations/file-profile-source';
import { HttpProfileSource } from './integrations/http-profile-source';
import type { ProfileSource } from './integrations/profile-source';
import { HttpRecommendationClient } from './integrations/http-recommendation-client';
import type { RecommendationSource } from './integrations/recommendation-source';
import {
  LEDGER_CHANGE_DEADLINE_MS,
  LEDGER_STATEMENT_DEADLINE_MS,
  withStatementDeadline,
  type Db,
} from './ledger/db';
import { repeatLimitedWarn } from './observability/repeat-filter';
import { KnexApiTokenStore } from './ledger/knex-api-token-store';
import { migrate } from './ledger/migrate';
import { KnexRequestStatsStore } from './observability/alerts/knex-request-stats-store';
import { RequestStatsRecorder } from './observability/alerts/request-stats-recorder';
import { createLogger, type Logger } from './observability/logger';
import { LoggingObserver } from './observability/participation-observer';
import { participationEvent } from './observability/participation-event';
import { dashboardRouter } from './observability/http/dashboard-router';
import { httpMetrics } from './observability/http/http-metrics';
import { metricsRouter } from './observability/http/metrics-router';
import { requestId, requestIdOf } from './observability/http/request-id';
import { PocketMetrics } from './observability/metrics/pocket-metrics';
import { ledgerStateSnapshots } from './observability/metrics/state-snapshots';
import { KnexReportReads } from './observability/report/knex-report-reads';
import { reportRouter } from './observability/report/report-controller';
import { ReportService } from './observability/report/report-service';
import { grantsRouter } from './participation/grants-controller';
import { campaignGrantsRouter } from './participation/campaign-grants-controller';
import { CampaignGrantsService } from './participation/campaign-grants-service';
import { KnexParticipationLedger } from './participation/knex-participation-ledger';
import { participationRouter } from './participation/participation-controller';
import { ParticipationService } from './participation/participation-service';
import type { ParticipationGuard } from './protection/participation-guard';
import { adminPrincipal, requireScope } from './protection/admin-auth';
import { adminRouter } from './protection/admin-router';
import { clientAuthRouter } from './protection/client-auth-router';
import { createProtection, type ProtectionOverrides } from './protection/create-protection';
import { TokenService } from './protection/token-service';
import { CachedTokenVerifier } from './protection/token-verifier';
import { tokensRouter } from './protection/tokens-controller';
import { campaignRouter } from './publishing/campaign-controller';
import { publishingAdminRouter } from './publishing/admin-controller';
import { combinedNotifier, DEFAULT_CHANGES_CHANNEL } from './publishing/change-notifier';
import { LedgerLifecycle } from './publishing/ledger-lifecycle';
import { RedisChangeListener } from './publishing/redis-change-listener';
import { RedisChangeNotifier } from './publishing/redis-change-notifier';
import { LiveRegistry } from './publishing/live-registry';
import { publishLocalDefinitions } from './publishing/publish-local';
import type { CounterRebuilder } from './reconciliation/counter-rebuilder';
import { createWorker, type WorkerParts } from './reconciliation/create-worker';
import { sandboxIssuerRouter } from './integrations/sandbox-issuer-router';
import { settledWithin } from './shared/settled-within';

export interface PocketOverrides {
  logger?: Logger;
  db?: Db;
  hotState?: HotState;
  profiles?: ProfileSource;
  /** The efficiency strategy's recommendation service (null: none); by default from RECOMMEND_URL. */
  recommendations?: RecommendationSource | null;
  /** Replaces the protection guard built from config (rate limits, activity codes, anti-fraud). */
  guard?: ParticipationGuard;
  /** Pieces of the protection guard built from config (ignored with `guard`). */
  protection?: ProtectionOverrides;
  clock?: () => Date;
  random?: Random;
  /** Registry poll interval (ms); a change notice also refreshes at once. */
  refreshMs?: number;
  /** Redis pub/sub channel of change notices (default pocket:changes). */
  changesChannel?: string;
  /** How long a client may take to send a request (default REQUEST_TIMEOUTS). */
  requestTimeouts?: RequestTimeouts;
  /** The statement deadline of the admin requests and the lifecycle (default LEDGER_CHANGE_DEADLINE_MS). */
  ledgerChangeDeadlineMs?: number;
}

export interface Pocket {
  config: Config;
  logger: Logger;
  db: Db;
  hotState: HotState;
  registry: LiveRegistry;
  rebuilder: CounterRebuilder;
  /** Publish, versions, rollback, pause/resume and audit against this pocket's ledger. */
  lifecycle: LedgerLifecycle;
  /** API tokens (admin and gateway client tokens). */
  tokens: TokenService;
  participations: ParticipationService;
  /** Prometheus metrics served at /metrics. */
  metrics: PocketMetrics;
  /** This instance's answers per minute, flushed to the ledger for the error-spike alert. */
  requestStats: RequestStatsRecorder;
  /** Campaign reports from the ledger (`pocket report`, /admin/campaigns/{id}/report, the dashboard). */
  reports: ReportService;
  /** Delivery and reconciliation: relay, issuers, reconcilers, void, the worker (run when config.runWorker). */
  delivery: WorkerParts;
  app: Express;
  /** Loads the registry, warms the counters and starts the refresh poll. */
  start(): Promise<void>;
  /** Stops background work and closes pools (the caller stops the HTTP server first). */
  close(): Promise<void>;
  ready(): boolean;
  setDraining(draining: boolean): void;
}

export async function createPocket(config: Config, overrides: PocketOverrides = {}): Promise<Pocket> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? (() => new Date());
  const db = overrides.db ?? openLedgerDb(config, logger, 'service');
  await migrate(db);
  // Before anything else touches the ledger: a second process on it with its own in-memory gate stops here.
  const owner =
    overrides.hotState || config.redisUrl
      ? null
      : await claimInMemoryHotState(
          db,
          config.databaseUrl ? 'DATABASE_URL' : config.sqliteFile,
          logger,
        ).catch(async (err: unknown) => {
          if (!overrides.db) await db.destroy();
          throw err;
        });

  const stores = createStores();
  // Reads and background statements give up on a ledger that stopped answering instead of waiting for ever (the
  // participation path has its own deadlines); transactions are opened on `db`.
  const bounded = withStatementDeadline(db, LEDGER_STATEMENT_DEADLINE_MS);
  // The admin requests' and the lifecycle's statements, transactions included: one left unanswered is a 503, its
  // transaction rolled back (by PostgreSQL too), instead of a request hanging until TCP gives up.
  const changes = withStatementDeadline(db, overrides.ledgerChangeDeadlineMs ?? LEDGER_CHANGE_DEADLINE_MS);
  const hotState: HotState = overrides.hotState ?? sharedHotState(config, logger) ?? new MemoryHotState();

  // Change notices: this instance refreshes at once (after start), the others through Redis pub/sub;
  // the poll below is the fallback (and the only path in the embedded mode).
  const changesChannel = overrides.changesChannel ?? DEFAULT_CHANGES_CHANNEL;
  const onRedisError = repeatLimitedWarn(logger, 'redis change notice error');
  const publisher = config.redisUrl ? createRedisClient(config.redisUrl, { onError: onRedisError }) : null;
  let refreshNow = (): Promise<void> => Promise.resolve();
  const lifecycle = new LedgerLifecycle(
    {
      db: changes,
      versions: stores.versions,
      grants: stores.grants,
      audit: stores.audit,
      notifier: combinedNotifier(
        { notify: () => refreshNow() },
        ...(publisher ? [new RedisChangeNotifier(publisher, changesChannel, onRedisError)] : []),
      ),
      clock,
    },
    'pocket serve',
  );
  const listener = config.redisUrl
    ? new RedisChangeListener(config.redisUrl, changesChannel, {
        onNotice: () => void refreshNow(),
        onError: onRedisError,
      })
    : null;

  if (config.publishOnStart) {
    await publishLocalDefinitions({
      lifecycle,
      root: config.definitionsRoot,
      setting: config.definitionsSetting,
      logger,
    });
  }

  const registry = ledgerRegistry(db, stores);
  const rebuilder = counterRebuilder(hotState, db, stores, logger);
  const protection = overrides.guard
    ? { guard: overrides.guard, close: () => Promise.resolve() }
    : createProtection(config, { db, clock, logger }, overrides.protection);
  const delivery = createWorker({
    config,
    db,
    registry,
    hot: { hotState, rebuilder },
    grants: stores.grants,
    outbox: stores.outbox,
    audit: stores.audit,
    logger,
    clock,
  });
  const participations = new ParticipationService({
    registry,
    hotState,
    ledger: new KnexParticipationLedger(db, stores),
    profiles:
      overrides.profiles ??
      (config.profileUrl
        ? new HttpProfileSource({
            baseUrl: config.profileUrl,
            timeoutMs: config.profileTimeoutMs,
            cacheTtlMs: config.profileCacheTtlMs,
          })
        : new FileProfileSource(config.profilesFile)),
    recommendations:
      overrides.recommendations !== undefined
        ? overrides.recommendations
        : config.recommendUrl
          ? new HttpRecommendationClient({
              baseUrl: config.recommendUrl,
              timeoutMs: config.recommendTimeoutMs,
            })
          : null,
    guard: protection.guard,
    rebuilder,
    clock,
    random: overrides.random ?? cryptoRandom,
  });

  const tokenStore = new KnexApiTokenStore();
  const tokens = new TokenService({ db: changes, store: tokenStore, clock });
  const tokenVerifier = new CachedTokenVerifier({
    find: (id) => tokenStore.find(bounded, id),
    ...(overrides.protection?.tokenCacheTtlMs === undefined
      ? {}
      : { ttlMs: overrides.protection.tokenCacheTtlMs }),
  });
  const reportReads = new KnexReportReads();
  const reports = new ReportService({
    db: changes,
    versions: stores.versions,
    grants: stores.grants,
    reads: reportReads,
    clock,
  });
  // Everything under /admin is authenticated by adminRouter; each route asks for its scope with
  // requireScope('publish' | 'read' | 'operate') from protection/admin-auth. Paths are relative to /admin.
  const adminRouters = [
    publishingAdminRouter({
      lifecycle,
      requireScope,
      actorOf: (res) => `token:${adminPrincipal(res)?.tokenId ?? 'unknown'}`,
    }),
    tokensRouter(tokens),
    reportRouter({ reports, requireScope }),
    campaignGrantsRouter({
      grants: new CampaignGrantsService({ db: changes, grants: stores.grants, versions: stores.versions }),
      requireScope,
    }),
  ];

  let warm = false;
  let draining = false;
  const ready = (): boolean => registry.loaded && warm && !draining;
  // Flushed every 10 s and at shutdown, one flush after the other: one stuck on a dead connection held the rest,
  // and the shutdown, for ever.
  const requestStats = new RequestStatsRecorder({
    db: bounded,
    store: new KnexRequestStatsStore(),
    clock,
    logger,
  });
  const metrics = new PocketMetrics(
    ledgerStateSnapshots({
      db: bounded,
      hotState,
      registry,
      outbox: stores.outbox,
      reads: reportReads,
      clock,
    }),
  );
  const observer = new LoggingObserver(logger, metrics);
  const app = createApp({
    logger,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    health: { ready },
    middleware: [requestId(), httpMetrics(metrics), requestStats.middleware()],
    routers: [
      metricsRouter(metrics, config.metricsToken),
      dashboardRouter(),
      clientAuthRouter({
        verifier: tokenVerifier,
        userTokenSecrets: currentAndPrevious(config, 'userToken'),
        userTokenClaims: config.userTokenClaims,
        required: config.requireClientAuth,
      }),
      participationRouter(participations, (request, answer, latencyMs, res) =>
        observer.observe(
          participationEvent({
            request,
            requestId: requestIdOf(res) ?? null,
            answer,
            latencyMs,
            snapshot: registry.get(request.campaignId),
          }),
        ),
      ),
      campaignRouter({ db: bounded, grants: stores.grants, registry, clock }),
      grantsRouter({ db: bounded, grants: stores.grants }),
      // The sandbox issuer's HTTP face (issued records for reconciliation); not exposed in production.
      // It verifies the signatures of what it receives with the service's own issuer secrets.
      ...(config.env === 'production'
        ? []
        : [sandboxIssuerRouter(delivery.sandboxOverHttp, { ...issuerSecretsInUse(config), clock })]),
      adminRouter(tokenVerifier, adminRouters),
    ],
  });

  let poll: NodeJS.Timeout | undefined;
  const refresh = async (): Promise<void> => {
    await registry.refresh();
    const results = await Promise.all(registry.list().map((s) => rebuilder.ensure(s.campaignId)));
    warm = results.every(Boolean);
  };

  return {
    config,
    logger,
    db,
    hotState,
    registry,
    rebuilder,
    lifecycle,
    participations,
    metrics,
    requestStats,
    reports,
    delivery,
    app,
    tokens,
    ready,
    setDraining: (value) => {
      draining = value;
    },
    async start() {
      // The first refresh rebuilds hot counters: not before the Redis client has connected (or given up trying).
      await hotState.ready?.(2000);
      for (const warning of (await hotState.configurationWarnings?.()) ?? []) logger.warn(warning);
      await refresh();
      const refreshFailed = repeatLimitedWarn(logger, 'registry refresh failed');
      refreshNow = () => refresh().catch(refreshFailed);
      await listener?.start();
      poll = setInterval(() => {
        refresh().catch(refreshFailed);
      }, overrides.refreshMs ?? 1000);
      poll.unref();
      requestStats.start();
      if (config.runWorker) delivery.worker.start();
    },
    async close() {
      if (poll) clearInterval(poll);
      refreshNow = () => Promise.resolve();
      await delivery.close();
      await requestStats.stop();
      await listener?.close();
      publisher?.disconnect();
      await hotState.close().catch(() => undefined);
      await protection.close();
      await owner?.stop();
      if (!overrides.db) await db.destroy();
    },
  };
}

export interface RunningPocket {
  pocket: Pocket;
  server: Server;
  url: string;
  /**
   * Stop accepting, finish in-flight requests (up to the grace period), close pools (up to CLOSE_TIMEOUT_MS more:
   * what is still open then is left, and the caller may exit).
   */
  shutdown(): Promise<void>;
}

/**
 * How long the pools and background work may take to close once the requests are drained. A pool waits for the
 * statements it lent out, and one stuck on a connection that went silent (an admin transaction during a failover)
 * never came back: the shutdown never ended.
 */
export const CLOSE_TIMEOUT_MS = 5000;

export async function startPocket(config: Config, overrides: PocketOverrides = {}): Promise<RunningPocket> {
  const pocket = await createPocket(config, overrides);
  await pocket.start();
  const server = createHttpServer(pocket.app, overrides.requestTimeouts);
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await pocket.close();
    throw new ListenError(config.host, config.port, error);
  }
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  answerClientErrors(server);
  const http = gracefulClose(server);
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      pocket.setDraining(true);
      await http.close(config.shutdownGraceMs);
      if (!(await settledWithin(pocket.close(), CLOSE_TIMEOUT_MS))) {
        pocket.logger.warn(
          `pools and background work not closed within ${CLOSE_TIMEOUT_MS} ms: left as they are`,
        );
      }
    })();
    return stopping;
  };
  return { pocket, server, url: serviceUrl(config.host, port), shutdown };
}
