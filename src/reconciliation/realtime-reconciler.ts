/**
 * Real-time reconciliation (every minute by default, RECONCILE_CRON). For each live campaign:
 * 1. settles reservations whose outcome was unknown: expired with no grant → released; with a grant → kept;
 * 2. compares the hot counters (stock per reward, budget, daily budget) with the ledger + live reservations,
 *    twice; drift seen in both comparisons is repaired by CounterRebuilder.repair (the counters are briefly
 *    invalidated, then rebuilt from reservations + ledger, so no live reservation is lost);
 * 3. checks the per-user counts of recently active users under each user's own lock (the pipeline reserves
 *    and commits under it, so the reads are consistent) and primes the ones that drifted;
 * 4. raises the budget and stock alerts the campaign's real use calls for.
 * Every difference is recorded in `discrepancies`, every run in `reconcile_runs`. The scheduled run stops once its
 * worker lost the scheduler lease, before a campaign, a reservation or a user (recorded failed, abandoned).
 */
import { randomUUID } from 'node:crypto';
import { campaignWindow } from '../decision/campaign-window';
import type { HotState } from '../hot-state/hot-state';
import { userCountersTtlMs } from '../hot-state/user-counter-ttl';
import type { Alert, AlertSink } from '../integrations/alert-service';
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import type { Logger } from '../observability/logger';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import { ALWAYS_LEADER, ensureLeader, LeaseLostError, type StillLeader } from '../shared/still-leader';
import { diffCounters, persistentDrift, type ResourceDrift } from './counter-diff';
import type { CounterRebuilder } from './counter-rebuilder';
import type { DiscrepancyKind, DiscrepancyStore, NewDiscrepancy } from './discrepancy-store';
import { mergeCounters } from './merge-counters';
import type { ReconcileRunStore } from './reconcile-run-store';
import type { ReconciliationReads } from './reconciliation-reads';
import { usageAlerts } from './usage-alerts';
import { checkUserCounters } from './user-counter-check';

export interface RealtimeSettings {
  /** Users who participated (or lost a grant to a void) this recently are checked (default 10 min). */
  activeUserWindowMs: number;
  maxUsersPerCampaign: number;
  /** Pause between the two counter comparisons (default 200 ms). */
  recheckDelayMs: number;
  /** A campaign is still reconciled this long after its window ended (default 1 h). */
  endedGraceMs: number;
  /** The per-user lock: held this long at most, waited for this long at most (then the user is skipped). */
  userLockTtlMs: number;
  userLockWaitMs: number;
}

export const DEFAULT_REALTIME_SETTINGS: RealtimeSettings = {
  activeUserWindowMs: 10 * 60_000,
  maxUsersPerCampaign: 1000,
  recheckDelayMs: 200,
  endedGraceMs: 60 * 60_000,
  userLockTtlMs: 5000,
  userLockWaitMs: 200,
};

export interface RealtimeDeps {
  db: Db;
  registry: { list(): CampaignSnapshot[] };
  hotState: HotState;
  rebuilder: Pick<CounterRebuilder, 'ensure' | 'repair'>;
  grants: GrantStore;
  reads: ReconciliationReads;
  discrepancies: DiscrepancyStore;
  runs: ReconcileRunStore;
  alerts: AlertSink;
  clock: () => Date;
  logger: Logger;
  settings?: Partial<RealtimeSettings>;
  sleep?: (ms: number) => Promise<void>;
}

export interface RealtimeSummary {
  runId: string;
  campaigns: string[];
  /** Differences found, per kind. */
  found: Partial<Record<DiscrepancyKind, number>>;
  repaired: number;
  usersChecked: number;
  /** Of those checked, the users whose counts the hot state had lost, loaded from the ledger (no discrepancy). */
  usersLoaded: number;
  usersSkipped: number;
  alerts: number;
  errors: Array<{ campaignId: string; message: string }>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RealtimeReconciler {
  private readonly settings: RealtimeSettings;

  constructor(private readonly deps: RealtimeDeps) {
    this.settings = { ...DEFAULT_REALTIME_SETTINGS, ...deps.settings };
  }

  /** The campaigns a run looks at: started, and not ended longer than the grace period ago. */
  liveCampaigns(now: Date): CampaignSnapshot[] {
    return this.deps.registry.list().filter((s) => {
      const start = Date.parse(s.definition.window.start);
      const end = Date.parse(s.definition.window.end);
      return start <= now.getTime() && now.getTime() < end + this.settings.endedGraceMs;
    });
  }

  /** `stillLeader`: the scheduled job's (JobRunner); once false, the run stops and throws LeaseLostError. */
  async run(stillLeader: StillLeader = ALWAYS_LEADER): Promise<RealtimeSummary> {
    const { db, runs } = this.deps;
    const startedAt = this.deps.clock();
    const summary: RealtimeSummary = {
      runId: randomUUID(),
      campaigns: [],
      found: {},
      repaired: 0,
      usersChecked: 0,
      usersLoaded: 0,
      usersSkipped: 0,
      alerts: 0,
      errors: [],
    };
    await runs.start(db, {
      id: summary.runId,
      kind: 'realtime',
      campaignId: null,
      windowSince: null,
      windowUntil: null,
      startedAt,
    });
    try {
      await this.reconcileCampaigns(startedAt, summary, stillLeader);
    } catch (error) {
      // Only LeaseLostError leaves reconcileCampaigns: what was done is kept, the run says it was abandoned.
      await runs.finish(db, summary.runId, {
        status: 'failed',
        finishedAt: this.deps.clock(),
        summary: { ...summary, abandoned: true },
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    await runs.finish(db, summary.runId, {
      status: summary.errors.length > 0 ? 'failed' : 'ok',
      finishedAt: this.deps.clock(),
      summary: { ...summary },
      error:
        summary.errors.length > 0
          ? summary.errors.map((e) => `${e.campaignId}: ${e.message}`).join('; ')
          : null,
    });
    return summary;
  }

  /** Each live campaign in turn; one that fails is logged and the next goes on, unless the lease was lost. */
  private async reconcileCampaigns(
    startedAt: Date,
    summary: RealtimeSummary,
    stillLeader: StillLeader,
  ): Promise<void> {
    for (const snapshot of this.liveCampaigns(startedAt)) {
      ensureLeader(stillLeader);
      summary.campaigns.push(snapshot.campaignId);
      try {
        await this.reconcileCampaign(snapshot, summary, stillLeader);
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        summary.errors.push({ campaignId: snapshot.campaignId, message });
        this.deps.logger.error(
          { err: error, campaignId: snapshot.campaignId },
          'real-time reconciliation failed',
        );
      }
    }
  }

  private async reconcileCampaign(
    snapshot: CampaignSnapshot,
    summary: RealtimeSummary,
    stillLeader: StillLeader,
  ): Promise<void> {
    const campaignId = snapshot.campaignId;
    await this.settleReservations(campaignId, summary, stillLeader);
    ensureLeader(stillLeader);
    await this.checkCounters(campaignId, summary);
    await this.checkUsers(snapshot, summary, stillLeader);
    ensureLeader(stillLeader);
    for (const alert of usageAlerts(
      snapshot.definition,
      await this.deps.grants.usage(this.deps.db, campaignId),
    )) {
      if (['sent', 'pending', 'skipped'].includes(await this.raise(alert))) summary.alerts += 1;
    }
  }

  private async settleReservations(
    campaignId: string,
    summary: RealtimeSummary,
    stillLeader: StillLeader,
  ): Promise<void> {
    const { hotState, grants, db } = this.deps;
    const now = this.deps.clock().getTime();
    for (const reservation of await hotState.reservations(campaignId)) {
      if (reservation.expiresAt > now) continue;
      ensureLeader(stillLeader);
      const grant = await grants.findByReservation(db, reservation.id);
      if (grant) await hotState.confirm(campaignId, reservation.id);
      else await hotState.release(campaignId, reservation.id);
      await this.record(summary, {
        kind: grant ? 'reservation_confirmed' : 'reservation_released',
        campaignId,
        grantId: grant?.id ?? null,
        details: {
          reservation: { ...reservation },
          expiredAt: new Date(reservation.expiresAt).toISOString(),
        },
        status: 'resolved',
        resolution: grant ? 'kept: the ledger has its grant' : 'released: the ledger has no grant for it',
      });
    }
  }

  /** One comparison: reservations, then the ledger, then the hot counters (null: the hot state lost them). */
  private async compare(campaignId: string): Promise<ResourceDrift[] | null> {
    const reservations = await this.deps.hotState.reservations(campaignId);
    const ledger = await this.deps.grants.campaignCounters(this.deps.db, campaignId);
    const hot = await this.deps.hotState.readCounters(campaignId);
    return hot === null ? null : diffCounters(hot, mergeCounters(ledger, reservations));
  }

  private async checkCounters(campaignId: string, summary: RealtimeSummary): Promise<void> {
    const first = await this.compare(campaignId);
    if (first === null) {
      const rebuilt = await this.deps.rebuilder.ensure(campaignId);
      if (rebuilt) summary.repaired += 1;
      if (rebuilt) await this.resolveSettled(campaignId, summary);
      await this.record(summary, {
        kind: 'hot_state_lost',
        campaignId,
        grantId: null,
        details: {},
        status: rebuilt ? 'resolved' : 'open',
        resolution: rebuilt ? 'rebuilt from the ledger + live reservations' : null,
      });
      return;
    }
    if (first.length === 0) return this.resolveSettled(campaignId, summary);
    await (this.deps.sleep ?? defaultSleep)(this.settings.recheckDelayMs);
    const second = await this.compare(campaignId);
    if (second === null) return;
    const drift = persistentDrift(first, second);
    if (drift.length === 0) return this.resolveSettled(campaignId, summary);
    const repaired = await this.deps.rebuilder.repair(campaignId);
    if (repaired) summary.repaired += 1;
    if (repaired) await this.resolveSettled(campaignId, summary);
    const discrepancy = await this.record(summary, {
      kind: 'counter_drift',
      campaignId,
      grantId: null,
      details: { drift },
      status: repaired ? 'resolved' : 'open',
      resolution: repaired ? 'counters rebuilt from the ledger + live reservations' : null,
    });
    await this.raise({
      event: 'reconcile.discrepancy',
      campaignId,
      occurrence: `discrepancy:${discrepancy}`,
      details: { kind: 'counter_drift', drift, repaired },
    });
  }

  /**
   * The campaign's counters are in place and in order (or were just rebuilt): an open hot_state_lost or
   * counter_drift of an earlier run, left open because its rebuild failed (a Redis or ledger blip), is no longer
   * true. Left open, it kept the report's reconciliation at `discrepancies` and the open-discrepancies gauge up
   * for good, with nothing left for a person to do.
   */
  private async resolveSettled(campaignId: string, summary: RealtimeSummary): Promise<void> {
    const { db, discrepancies } = this.deps;
    const open = await discrepancies.list(db, {
      status: 'open',
      campaignId,
      kinds: ['hot_state_lost', 'counter_drift'],
    });
    const now = this.deps.clock();
    for (const d of open) {
      await discrepancies.resolve(db, d.id, now, `counters in order again (run ${summary.runId})`);
    }
  }

  private async checkUsers(
    snapshot: CampaignSnapshot,
    summary: RealtimeSummary,
    stillLeader: StillLeader,
  ): Promise<void> {
    const { db, hotState, grants, reads } = this.deps;
    const campaignId = snapshot.campaignId;
    const now = this.deps.clock().getTime();
    const since = new Date(now - this.settings.activeUserWindowMs);
    const userTtlMs = userCountersTtlMs(campaignWindow(snapshot.definition).end, now);
    const users = await reads.recentUsers(db, campaignId, since, this.settings.maxUsersPerCampaign);
    let loaded = 0;
    for (const userId of users) {
      ensureLeader(stillLeader);
      const check = await checkUserCounters(
        hotState,
        {
          userCounters: (c, u) => grants.userCounters(db, c, u),
          hasGrant: async (reservationId) => (await grants.findByReservation(db, reservationId)) !== null,
        },
        campaignId,
        userId,
        {
          lockTtlMs: this.settings.userLockTtlMs,
          lockWaitMs: this.settings.userLockWaitMs,
          purpose: `reconcile:${summary.runId}`,
          userTtlMs,
        },
      );
      if (check.kind === 'busy') {
        summary.usersSkipped += 1;
        continue;
      }
      summary.usersChecked += 1;
      if (check.kind === 'same') continue;
      if (check.kind === 'loaded') {
        loaded += 1;
        summary.usersLoaded += 1;
        continue;
      }
      summary.repaired += 1;
      await this.record(summary, {
        kind: 'user_counter_drift',
        campaignId,
        grantId: null,
        details: { userId, hot: check.hot, expected: check.expected },
        status: 'resolved',
        resolution: 'user counters set from the ledger + live reservations',
      });
    }
    if (loaded > 0) {
      this.deps.logger.info(
        { campaignId, users: loaded },
        'per-user counts loaded from the ledger and live reservations (the hot state held none for these users)',
      );
    }
  }

  private async record(
    summary: RealtimeSummary,
    d: Omit<NewDiscrepancy, 'runId' | 'createdAt'>,
  ): Promise<string> {
    summary.found[d.kind] = (summary.found[d.kind] ?? 0) + 1;
    const { discrepancy } = await this.deps.discrepancies.record(this.deps.db, {
      ...d,
      runId: summary.runId,
      createdAt: this.deps.clock(),
    });
    return discrepancy.id;
  }

  private raise(alert: Alert): Promise<string> {
    return this.deps.alerts.raise(alert).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'alert failed');
      return 'failed';
    });
  }
}
