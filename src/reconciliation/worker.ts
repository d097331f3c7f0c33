/**
 * The worker: the outbox relay loop plus the scheduled jobs (real-time and offline reconciliation, webhook
 * retries). `pocket worker` runs it alone; the embedded `npm start` runs it in the service process.
 * Only the lease holder runs the jobs. On PostgreSQL every worker relays (claims skip each other's rows);
 * on SQLite only the lease holder does.
 */
import type { DeliveryStats, OutboxRelay, RelayBatch } from '../delivery/outbox-relay';
import type { AlertService } from '../integrations/alert-service';
import type { JobScheduler } from './job-scheduler';
import type { LeaseKeeper } from './lease-keeper';
import type { RealtimeReconciler, RealtimeSummary } from './realtime-reconciler';

export interface WorkerOnce {
  relay: RelayBatch;
  /** null when this process does not share the service's hot state (embedded in-memory), or it is unreachable. */
  realtime: RealtimeSummary | null;
  /** Why the real-time reconciliation did not run although REDIS_URL is set (Redis unreachable); else null. */
  realtimeSkipped: string | null;
  notificationsSent: number;
  stats: DeliveryStats;
}

export class Worker {
  private started = false;

  constructor(
    private readonly deps: {
      relay: OutboxRelay;
      scheduler: JobScheduler;
      keeper: LeaseKeeper;
      realtime: RealtimeReconciler | null;
      alerts: AlertService;
      /** SQLite: a single relay, the lease holder. */
      relayNeedsLease: boolean;
      pollMs: number;
      /**
       * `pocket worker` alone: its registry is reloaded this often while it runs (the service reloads its own), else
       * a campaign published, paused or changed after it started stays unknown to its jobs and alerts.
       */
      registryRefresh?: { refresh(): Promise<void>; everyMs: number; onError(error: unknown): void } | null;
    },
  ) {}

  private poll: NodeJS.Timeout | undefined;

  get running(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const registry = this.deps.registryRefresh;
    if (registry) {
      this.poll = setInterval(() => void registry.refresh().catch(registry.onError), registry.everyMs);
      this.poll.unref();
    }
    this.deps.scheduler.start();
    this.deps.relay.start(this.deps.pollMs, () => !this.deps.relayNeedsLease || this.deps.keeper.held());
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.poll);
    this.poll = undefined;
    await this.deps.relay.stop();
    await this.deps.scheduler.stop();
  }

  /**
   * One pass by hand (`pocket worker --once`): drain the relay, reconcile once, resend webhooks, report.
   * `hotStateUnreachable`: why Redis cannot be reached; the real-time reconciliation is then skipped, not tried.
   */
  async runOnce(
    options: { maxBatches?: number; hotStateUnreachable?: string | null } = {},
  ): Promise<WorkerOnce> {
    const relay = await this.deps.relay.drain(options.maxBatches ?? 1000);
    const realtimeSkipped = this.deps.realtime ? (options.hotStateUnreachable ?? null) : null;
    const realtime = this.deps.realtime && realtimeSkipped === null ? await this.deps.realtime.run() : null;
    const notificationsSent = await this.deps.alerts.retryPending();
    return { relay, realtime, realtimeSkipped, notificationsSent, stats: await this.deps.relay.stats() };
  }
}
