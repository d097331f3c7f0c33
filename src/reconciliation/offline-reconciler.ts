/**
 * Offline reconciliation (daily by default, OFFLINE_RECONCILE_CRON; `pocket reconcile` runs it once): the ledger
 * against what the issuers say they issued, matched by grant id.
 * - The window ends a grace period before now, so a grant delivered a moment ago (or still in backoff) is not
 *   flagged while the issuer's records catch up; the issuers are read over the window widened by an overlap
 *   at both edges, so a record stamped just across an edge still matches.
 * - Delivered in the ledger, missing downstream → redelivered (the outbox entry is reset; same Idempotency-Key).
 *   Not when the ledger recorded it delivered to an issuer no longer configured for its type (an issuer moved
 *   to a new URL): the new one never had it, and being another system it would issue it a second time. Counted
 *   as `elsewhere`, not reconciled (that issuer is not read), no discrepancy. A grant recorded before the
 *   ledger kept its issuer (null) is taken as delivered to its type's issuer now.
 * - Downstream, unknown to the ledger; amount or reward mismatch; listed more than once (by one issuer or by
 *   two: issued_twice, one per grant); held downstream for a void grant (voided_but_issued when issued before
 *   the void, issued_after_void when after it) → an open discrepancy and an alert.
 * - Downstream for a grant the ledger marked failed or dead → the ledger is corrected to delivered, and its
 *   outbox entry closed (done).
 * - Failed or dead in the ledger (given up on in the window) and not downstream → counted as undelivered and listed
 *   with its delivery_rejected / delivery_dead discrepancy: unresolved while that is open (recorded again when
 *   none is), acknowledged when a person resolved it and the grant is still as it was.
 * Every issuer is read in full first: a listing that fails or does not reach its end fails the run before it
 * changes anything (issuer-listing.ts). Open offline discrepancies this run looked at again and found in order
 * are resolved; a run for one campaign never touches another campaign's (earlier-discrepancies.ts). One a person
 * resolved (`pocket discrepancies resolve`) is not reopened while the run finds the same difference again: it is
 * counted as acknowledged, not unresolved, and alerts nobody.
 */
import { randomUUID } from 'node:crypto';
import type { AlertSink } from '../integrations/alert-service';
import type { IssuedRecord } from '../integrations/issuer';
import type { IssuerDirectory } from '../delivery/issuer-directory';
import type { Db } from '../ledger/db';
import type { GrantRecord, GrantStore } from '../ledger/grant-store';
import { addAtStake, budgetCharge, type AtStake } from './money-at-stake';
import type { OutboxStore } from '../ledger/outbox-store';
import type { Logger } from '../observability/logger';
import { ALWAYS_LEADER, ensureLeader, LeaseLostError, type StillLeader } from '../shared/still-leader';
import {
  OFFLINE_KINDS,
  type Discrepancy,
  type DiscrepancyKind,
  type DiscrepancyStore,
  type NewDiscrepancy,
} from './discrepancy-store';
import { issuedTwiceDetails, mergeListings, type Downstream, type Listing } from './downstream-listings';
import { noLongerObserved } from './earlier-discrepancies';
import { readListing } from './issuer-listing';
import type { ReconcileRunStore } from './reconcile-run-store';
import type { DeliveredPageQuery, ReconciliationReads, UndeliveredPageQuery } from './reconciliation-reads';
import { recordMismatch } from './record-mismatch';

export interface OfflineSettings {
  /** The window ends this long before now at the latest (default 1 h). */
  graceMs: number;
  /** Issuers are read this much beyond both edges of the window (default 15 min). */
  overlapMs: number;
  /** Window length when --since is not given (default 24 h). */
  defaultWindowMs: number;
  pageSize: number;
  /**
   * Upper bound on pages per issuer, against a cursor that never ends (a cursor that comes back is caught at
   * once). Reaching it fails the run: an incomplete listing is never taken for a complete one.
   */
  maxPages: number;
  /** A scheduled run reaches back at most this far for the end of the last successful one (default 7 days). */
  maxCatchUpMs: number;
}

const DEFAULT_OFFLINE_SETTINGS: OfflineSettings = {
  graceMs: 60 * 60_000,
  overlapMs: 15 * 60_000,
  defaultWindowMs: 24 * 60 * 60_000,
  pageSize: 500,
  maxPages: 100_000,
  maxCatchUpMs: 7 * 24 * 60 * 60_000,
};

/** Scheduled runs looked at, newest first, to find the last successful one. */
const SCHEDULED_RUNS_LOOKED_AT = 100;

export interface OfflineDeps {
  db: Db;
  issuers: Pick<IssuerDirectory, 'all' | 'forGrant'>;
  grants: GrantStore;
  outbox: OutboxStore;
  reads: ReconciliationReads;
  discrepancies: DiscrepancyStore;
  runs: ReconcileRunStore;
  alerts: AlertSink;
  clock: () => Date;
  logger: Logger;
  settings?: Partial<OfflineSettings>;
}

export interface OfflineOptions {
  since?: Date;
  until?: Date;
  campaignId?: string | null;
  /** Overrides the configured grace period for this run. */
  graceMs?: number;
  /**
   * The scheduled job's run (OFFLINE_RECONCILE_CRON): without `since`, its window starts where the last
   * successful scheduled run's ended when that is earlier than `until − 24 h`, so a run that came late (a
   * 25-hour day in the worker's zone, a worker that was down), failed or was skipped leaves no grant unchecked.
   */
  scheduled?: boolean;
  /**
   * The scheduled job's: asked before each grant (and each issuer, each earlier discrepancy); once false the run
   * stops there, between two grants (a grant's writes are never split), and is recorded failed with an error
   * saying it was abandoned for the lease's new holder (LeaseLostError).
   */
  stillLeader?: StillLeader;
}

/** A grant the ledger gave up on (failed or dead) that no issuer has, and its discrepancy. */
export interface UndeliveredGrant {
  grantId: string;
  campaignId: string;
  status: 'failed' | 'dead';
  /** What its budget was charged, minor units of `currency` (a test grant: 0). */
  charge: number;
  currency: string | null;
  discrepancyId: string;
  /** open: waits for `grants redeliver` or `grants void`; acknowledged: a person resolved it by hand. */
  discrepancy: 'open' | 'acknowledged';
}

/** At most this many undelivered grants are listed in a summary (all are counted). */
const UNDELIVERED_LISTED = 100;

/** The resolution of a missing_downstream settled by sending the grant again. */
const REDELIVERY_SCHEDULED = 'redelivery scheduled (same Idempotency-Key)';

export interface OfflineSummary {
  runId: string;
  since: string;
  until: string;
  campaignId: string | null;
  issuers: Array<{ name: string; records: number }>;
  ledgerDelivered: number;
  matched: number;
  redelivered: number;
  corrected: number;
  /**
   * Delivered grants no issuer read lists, recorded as delivered to an issuer that is no longer the one
   * configured for their type: not reconciled (that issuer is not read) and never redelivered to the new one.
   */
  elsewhere: number;
  /** Those grants per issuer they were delivered to, most first. */
  elsewhereIssuers: Array<{ name: string; grants: number }>;
  /** Grants failed or dead-lettered in the window that no issuer has (DESIGN invariant 4: never silently). */
  ledgerUndelivered: number;
  /** The first UNDELIVERED_LISTED of them, by the time the ledger gave up on them. */
  undelivered: UndeliveredGrant[];
  /** What all of them (listed or not) were charged, per currency. */
  undeliveredCharge: AtStake[];
  found: Partial<Record<DiscrepancyKind, number>>;
  /** Discrepancies this run found that are still open (new ones and ones already open). */
  unresolved: number;
  /** Differences this run found again that a person had resolved (acknowledged) with the same details. */
  acknowledged: number;
  /** Open discrepancies of earlier runs that this run found in order. */
  resolvedEarlier: number;
}

/** What one run knows while it goes: its summary, what it examined and found, the grants listed twice. */
interface RunState {
  summary: OfflineSummary;
  campaignId: string | null;
  /** Grants this run examined (in its campaign, or unknown to the ledger). */
  examined: Set<string>;
  /** `${kind}:${grantId}` of every difference this run found. */
  found: Set<string>;
  /** Grants listed more than once downstream. */
  duplicated: ReadonlyMap<string, Downstream[]>;
  stillLeader: StillLeader;
}

export class OfflineWindowError extends Error {}

export class OfflineReconciler {
  private readonly settings: OfflineSettings;

  constructor(private readonly deps: OfflineDeps) {
    this.settings = { ...DEFAULT_OFFLINE_SETTINGS, ...deps.settings };
  }

  /** The effective window: until is capped at now − grace; since defaults to until − 24 h. */
  window(options: OfflineOptions): { since: Date; until: Date } {
    const graceMs = options.graceMs ?? this.settings.graceMs;
    const latest = this.deps.clock().getTime() - graceMs;
    const until = new Date(Math.min(options.until?.getTime() ?? latest, latest));
    const since = options.since ?? new Date(until.getTime() - this.settings.defaultWindowMs);
    if (since.getTime() >= until.getTime()) {
      throw new OfflineWindowError(
        `empty window: since ${since.toISOString()} is not before until ${until.toISOString()} (until is at most now − ${Math.round(graceMs / 60_000)} min)`,
      );
    }
    return { since, until };
  }

  /**
   * The scheduled run's window: the default one, reaching back to where the last successful scheduled run's
   * window ended when that is earlier (at most maxCatchUpMs before until; an older end is logged, for
   * `pocket reconcile --since` to cover the rest). Windows are anchored on the time a run starts, so without
   * this a run more than 24 h after the last good one would never look at the grants delivered in between.
   */
  private async scheduledWindow(options: OfflineOptions): Promise<{ since: Date; until: Date }> {
    const window = this.window(options);
    if (options.since !== undefined) return window;
    const runs = await this.deps.runs.latest(this.deps.db, 'offline', SCHEDULED_RUNS_LOOKED_AT);
    const last = runs.find(
      (r) => r.status === 'ok' && r.campaignId === null && r.summary?.['scheduled'] === true,
    )?.windowUntil;
    if (!last && runs.length >= SCHEDULED_RUNS_LOOKED_AT) {
      // Many runs since the last good scheduled one (failures, manual runs): where it ended is unknown here.
      this.deps.logger.warn(
        { since: window.since.toISOString(), runsLookedAt: runs.length },
        `offline reconciliation: no successful scheduled run among the latest ${runs.length}; this run checks ` +
          'the default window only: run pocket reconcile --since <the last good run> to cover what came before',
      );
    }
    if (!last || last.getTime() >= window.since.getTime()) return window;
    const earliest = window.until.getTime() - this.settings.maxCatchUpMs;
    if (last.getTime() < earliest) {
      this.deps.logger.warn(
        { lastUntil: last.toISOString(), since: new Date(earliest).toISOString() },
        'offline reconciliation: the last successful scheduled run ended too long ago to catch up at once; ' +
          `run pocket reconcile --since ${last.toISOString()} --until ${new Date(earliest).toISOString()}`,
      );
    }
    return { since: new Date(Math.max(last.getTime(), earliest)), until: window.until };
  }

  async run(options: OfflineOptions = {}): Promise<OfflineSummary> {
    const { since, until } = options.scheduled ? await this.scheduledWindow(options) : this.window(options);
    const campaignId = options.campaignId ?? null;
    const summary: OfflineSummary = {
      runId: randomUUID(),
      since: since.toISOString(),
      until: until.toISOString(),
      campaignId,
      issuers: [],
      ledgerDelivered: 0,
      matched: 0,
      redelivered: 0,
      corrected: 0,
      elsewhere: 0,
      elsewhereIssuers: [],
      ledgerUndelivered: 0,
      undelivered: [],
      undeliveredCharge: [],
      found: {},
      unresolved: 0,
      acknowledged: 0,
      resolvedEarlier: 0,
    };
    const { db, runs } = this.deps;
    await runs.start(db, {
      id: summary.runId,
      kind: 'offline',
      campaignId,
      windowSince: since,
      windowUntil: until,
      startedAt: this.deps.clock(),
    });
    const stillLeader = options.stillLeader ?? ALWAYS_LEADER;
    try {
      const read = this.readWindow(since, until);
      const { byGrant, duplicated } = mergeListings(await this.readIssuers(read, summary, stillLeader));
      const earlier = await this.readEarlier({ since, until, campaignId }, read, byGrant, stillLeader);
      const state: RunState = {
        summary,
        campaignId,
        examined: new Set(),
        found: new Set(),
        duplicated,
        stillLeader,
      };
      await this.matchLedger(since, until, byGrant, earlier, state);
      await this.matchRemaining(byGrant, state);
      await this.matchUndelivered(since, until, byGrant, earlier, state);
      await this.recordDuplicates(state);
      await this.resolveEarlier(state, read);
      await runs.finish(db, summary.runId, {
        status: 'ok',
        finishedAt: this.deps.clock(),
        summary: { ...summary, ...(options.scheduled ? { scheduled: true } : {}) },
      });
      return summary;
    } catch (error) {
      await runs.finish(db, summary.runId, {
        status: 'failed',
        finishedAt: this.deps.clock(),
        // What it did before it stopped: every grant it counted was handled in full.
        summary: { ...summary, ...(error instanceof LeaseLostError ? { abandoned: true } : {}) },
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  }

  /** Every issuer's full listing over the read window; throws (an IssuerListingError) when one is incomplete. */
  private async readIssuers(
    read: { from: Date; to: Date },
    summary: OfflineSummary,
    stillLeader: StillLeader,
  ): Promise<Listing[]> {
    const listings: Listing[] = [];
    for (const issuer of this.deps.issuers.all()) {
      ensureLeader(stillLeader);
      const records = await readListing(issuer, read, this.settings);
      listings.push({ issuer: issuer.name, records });
      summary.issuers.push({ name: issuer.name, records: records.length });
    }
    return listings;
  }

  /**
   * The records of the window's grants (delivered, or given up on) that were created before the read window and
   * that no listing of it holds. One dead-lettered while the issuer had it (its answers were lost), then corrected
   * or redelivered (409) hours or days later, is delivered in the window while the issuer's record keeps the
   * first attempt's time: taken for missing, it was redelivered, answered 409, and was back in the next run's
   * window, every run. The issuers are read again from the oldest one's creation, keeping only their records,
   * before anything changes (an incomplete listing fails the run, as the first read does).
   */
  private async readEarlier(
    window: { since: Date; until: Date; campaignId: string | null },
    read: { from: Date },
    downstream: ReadonlyMap<string, Downstream>,
    stillLeader: StillLeader,
  ): Promise<Map<string, Downstream>> {
    const unlisted = new Map<string, number>();
    const collect = (grant: GrantRecord): void => {
      if (!downstream.has(grant.id)) unlisted.set(grant.id, grant.createdAt.getTime());
    };
    const query = { ...window, createdBefore: read.from };
    const { db, reads } = this.deps;
    await this.eachGrant<NonNullable<DeliveredPageQuery['after']>>(
      (after, limit) => reads.deliveredGrants(db, { ...query, after, limit }),
      (last) => (last.deliveredAt ? { deliveredAt: last.deliveredAt, id: last.id } : null),
      async (grant) => collect(grant),
      stillLeader,
    );
    await this.eachGrant<NonNullable<UndeliveredPageQuery['after']>>(
      (after, limit) => reads.undeliveredGrants(db, { ...query, after, limit }),
      (last) => ({ updatedAt: last.updatedAt, id: last.id }),
      async (grant) => collect(grant),
      stillLeader,
    );
    if (unlisted.size === 0) return new Map();
    let oldest = read.from.getTime();
    for (const createdAt of unlisted.values()) oldest = Math.min(oldest, createdAt);
    const earlier = { from: new Date(oldest - this.settings.overlapMs), to: read.from };
    const listings: Listing[] = [];
    for (const issuer of this.deps.issuers.all()) {
      ensureLeader(stillLeader);
      const records = await readListing(issuer, earlier, this.settings, (r) => unlisted.has(r.grantId));
      listings.push({ issuer: issuer.name, records });
    }
    return mergeListings(listings).byGrant;
  }

  /** Every grant delivered in the window: present downstream (and equal), or redelivered. */
  private async matchLedger(
    since: Date,
    until: Date,
    downstream: Map<string, Downstream>,
    earlier: ReadonlyMap<string, Downstream>,
    state: RunState,
  ): Promise<void> {
    await this.eachGrant<NonNullable<DeliveredPageQuery['after']>>(
      (after, limit) =>
        this.deps.reads.deliveredGrants(this.deps.db, {
          since,
          until,
          campaignId: state.campaignId,
          after,
          limit,
        }),
      (last) => (last.deliveredAt ? { deliveredAt: last.deliveredAt, id: last.id } : null),
      async (grant) => {
        state.summary.ledgerDelivered += 1;
        state.examined.add(grant.id);
        const down = downstream.get(grant.id) ?? earlier.get(grant.id);
        downstream.delete(grant.id);
        if (down) await this.compare(grant, down, state);
        else if (deliveredElsewhere(grant, this.deps.issuers.forGrant(grant).name))
          countElsewhere(grant, state);
        else await this.redeliver(grant, state);
      },
      state.stillLeader,
    );
  }

  /**
   * Every grant of a keyset-paged read, page after page; `next` gives the key after a page's last grant. Stops
   * (LeaseLostError) before a page or a grant once `stillLeader` says no: a grant is visited in full or not at all.
   */
  private async eachGrant<K>(
    read: (after: K | null, limit: number) => Promise<GrantRecord[]>,
    next: (last: GrantRecord) => K | null,
    visit: (grant: GrantRecord) => Promise<void>,
    stillLeader: StillLeader,
  ): Promise<void> {
    const limit = this.settings.pageSize;
    let after: K | null = null;
    for (;;) {
      ensureLeader(stillLeader);
      const page = await read(after, limit);
      for (const grant of page) {
        ensureLeader(stillLeader);
        await visit(grant);
      }
      const last = page[page.length - 1];
      after = last === undefined || page.length < limit ? null : next(last);
      if (after === null) return;
    }
  }

  /**
   * Downstream records the window's delivered grants did not account for. Records of another campaign's grants
   * are left alone under a campaign filter; records unknown to the ledger belong to no campaign and are always
   * reported.
   */
  private async matchRemaining(downstream: Map<string, Downstream>, state: RunState): Promise<void> {
    const grants = await this.grantsById([...downstream.keys()]);
    for (const [grantId, down] of downstream) {
      ensureLeader(state.stillLeader);
      const grant = grants.get(grantId);
      if (!grant) {
        state.examined.add(grantId);
        await this.record(state, {
          kind: 'unknown_downstream',
          campaignId: null,
          grantId,
          details: {
            issuer: down.issuer,
            record: { ...down.record, issuedAt: down.record.issuedAt.toISOString() },
          },
        });
        continue;
      }
      if (state.campaignId !== null && grant.campaignId !== state.campaignId) continue;
      state.examined.add(grantId);
      if (grant.status === 'void') {
        await this.record(state, {
          kind: issuedBeforeVoid(grant, down.record) ? 'voided_but_issued' : 'issued_after_void',
          campaignId: grant.campaignId,
          grantId,
          details: {
            issuer: down.issuer,
            record: { ...down.record, issuedAt: down.record.issuedAt.toISOString() },
            voidReason: grant.voidReason,
            voidedAt: grant.voidedAt?.toISOString() ?? null,
            deliveredAt: grant.deliveredAt?.toISOString() ?? null,
          },
        });
        continue;
      }
      await this.compare(grant, down, state);
      if (grant.status === 'failed' || grant.status === 'dead') await this.correct(grant, down, state);
    }
  }

  /**
   * Grants the ledger gave up on in the window (failed: the issuer refused; dead: retries ran out) that no issuer
   * lists: the issuer never got them. Each is counted and listed with its delivery discrepancy, recorded again
   * with the details it was recorded with, so the store's rules apply: an open one stays open (unresolved, no
   * second alert), one a person resolved counts as acknowledged, and a grant without one gets one (and an alert).
   * The ones the issuers list were corrected by matchRemaining (or belong to another campaign).
   */
  private async matchUndelivered(
    since: Date,
    until: Date,
    downstream: ReadonlyMap<string, Downstream>,
    earlier: ReadonlyMap<string, Downstream>,
    state: RunState,
  ): Promise<void> {
    await this.eachGrant<NonNullable<UndeliveredPageQuery['after']>>(
      (after, limit) =>
        this.deps.reads.undeliveredGrants(this.deps.db, {
          since,
          until,
          campaignId: state.campaignId,
          after,
          limit,
        }),
      (last) => ({ updatedAt: last.updatedAt, id: last.id }),
      async (grant) => {
        if (downstream.has(grant.id) || (grant.status !== 'failed' && grant.status !== 'dead')) return;
        state.examined.add(grant.id);
        const down = earlier.get(grant.id);
        if (!down) return this.recordUndelivered(grant, grant.status, state);
        await this.compare(grant, down, state);
        await this.correct(grant, down, state);
      },
      state.stillLeader,
    );
  }

  private async recordUndelivered(
    grant: GrantRecord,
    status: 'failed' | 'dead',
    state: RunState,
  ): Promise<void> {
    const kind = status === 'failed' ? 'delivery_rejected' : 'delivery_dead';
    const earlier = await this.deps.discrepancies.list(this.deps.db, { grantId: grant.id, kinds: [kind] });
    const latest = earlier[earlier.length - 1];
    const details = latest?.details ?? {
      ledgerStatus: status,
      rewardId: grant.rewardId,
      amount: grant.amount,
      userId: grant.userId,
    };
    const discrepancy = await this.record(state, {
      kind,
      campaignId: grant.campaignId,
      grantId: grant.id,
      details,
    });
    state.summary.ledgerUndelivered += 1;
    const charge = budgetCharge(grant);
    addAtStake(state.summary.undeliveredCharge, charge, grant.currency);
    if (state.summary.undelivered.length < UNDELIVERED_LISTED) {
      state.summary.undelivered.push({
        grantId: grant.id,
        campaignId: grant.campaignId,
        status,
        charge,
        currency: grant.currency,
        discrepancyId: discrepancy.id,
        discrepancy: discrepancy.status === 'open' ? 'open' : 'acknowledged',
      });
    }
  }

  /**
   * One issued_twice per grant listed more than once (by one issuer or by several), in the grant's campaign
   * when the ledger knows it; under a campaign filter, only that campaign's grants and unknown ones.
   */
  private async recordDuplicates(state: RunState): Promise<void> {
    const grants = await this.grantsById([...state.duplicated.keys()]);
    for (const [grantId, downs] of state.duplicated) {
      ensureLeader(state.stillLeader);
      const campaignId = grants.get(grantId)?.campaignId ?? null;
      if (state.campaignId !== null && campaignId !== null && campaignId !== state.campaignId) continue;
      state.examined.add(grantId);
      await this.record(state, {
        kind: 'issued_twice',
        campaignId,
        grantId,
        details: issuedTwiceDetails(downs),
      });
    }
  }

  private async grantsById(ids: readonly string[]): Promise<Map<string, GrantRecord>> {
    if (ids.length === 0) return new Map();
    return new Map((await this.deps.reads.grantsByIds(this.deps.db, ids)).map((g) => [g.id, g]));
  }

  /** Counted as matched only when equal and listed once: a grant listed twice is not in order. */
  private async compare(grant: GrantRecord, down: Downstream, state: RunState): Promise<void> {
    const mismatch = recordMismatch(grant, down.record);
    if (Object.keys(mismatch).length === 0) {
      if (!state.duplicated.has(grant.id)) state.summary.matched += 1;
      return;
    }
    await this.record(state, {
      kind: 'record_mismatch',
      campaignId: grant.campaignId,
      grantId: grant.id,
      details: { issuer: down.issuer, mismatch },
    });
  }

  /**
   * Delivered in the ledger, missing downstream: sent again with the same key, quietly the first time. Missing
   * again after such a redelivery, the issuer is not keeping what it accepts (it answers 409 for a key it never
   * lists, or loses grants): still redelivered, but left open for a person with an alert, once.
   */
  private async redeliver(grant: GrantRecord, state: RunState): Promise<void> {
    const now = this.deps.clock();
    const earlier = await this.deps.discrepancies.list(this.deps.db, {
      grantId: grant.id,
      kinds: ['missing_downstream'],
    });
    const redeliveredBefore = earlier.some((d) => d.resolution === REDELIVERY_SCHEDULED);
    const reset = await this.deps.db.transaction(async (trx) => {
      const ok = await this.deps.outbox.reset(trx, grant.id, now);
      if (ok) await this.deps.grants.setStatus(trx, grant.id, 'pending', now);
      return ok;
    });
    if (reset) state.summary.redelivered += 1;
    const what = { rewardId: grant.rewardId, amount: grant.amount };
    if (redeliveredBefore) {
      // Details that stay the same from run to run, so that one resolved by hand is acknowledged after.
      await this.record(state, {
        kind: 'missing_downstream',
        campaignId: grant.campaignId,
        grantId: grant.id,
        details: { ...what, missingAfterRedelivery: true },
      });
      return;
    }
    await this.record(state, {
      kind: 'missing_downstream',
      campaignId: grant.campaignId,
      grantId: grant.id,
      details: { deliveredAt: grant.deliveredAt?.toISOString() ?? null, ...what },
      ...(reset ? { status: 'resolved' as const, resolution: REDELIVERY_SCHEDULED } : {}),
    });
  }

  /** The issuer has it although the ledger gave up on it: the ledger is corrected to delivered. */
  private async correct(grant: GrantRecord, down: Downstream, state: RunState): Promise<void> {
    const now = this.deps.clock();
    await this.deps.db.transaction(async (trx) => {
      await this.deps.grants.setStatus(trx, grant.id, 'delivered', now, down.issuer);
      // Pending or dead-lettered: nothing is left to send, so the entry leaves the backlog and the dead count.
      const entry = await this.deps.outbox.findByGrant(trx, grant.id);
      if (entry) await this.deps.outbox.close(trx, entry.id, now, 'found downstream');
    });
    state.summary.corrected += 1;
    const open = await this.deps.discrepancies.list(this.deps.db, { grantId: grant.id, status: 'open' });
    for (const d of open.filter((x) => x.kind === 'delivery_rejected' || x.kind === 'delivery_dead')) {
      await this.deps.discrepancies.resolve(this.deps.db, d.id, now, 'the issuer has the grant');
    }
    await this.record(state, {
      kind: 'delivery_not_recorded',
      campaignId: grant.campaignId,
      grantId: grant.id,
      details: { issuer: down.issuer, ledgerStatus: grant.status },
      status: 'resolved',
      resolution: 'ledger corrected to delivered',
    });
  }

  /** The issuers are read over the window widened by the overlap at both edges. */
  private readWindow(since: Date, until: Date): { from: Date; to: Date } {
    return {
      from: new Date(since.getTime() - this.settings.overlapMs),
      to: new Date(until.getTime() + this.settings.overlapMs),
    };
  }

  /** Resolves the open offline discrepancies this run looked at again and did not find (earlier-discrepancies.ts). */
  private async resolveEarlier(state: RunState, read: { from: Date; to: Date }): Promise<void> {
    const { db, discrepancies } = this.deps;
    const open = await discrepancies.list(db, { status: 'open', kinds: OFFLINE_KINDS });
    // Rows stored without a campaign: the ledger says whose grant it is (a campaign filter must not close them).
    const unowned = open
      .filter((d) => d.campaignId === null && d.grantId !== null)
      .map((d) => d.grantId ?? '');
    const owners = new Map(
      state.campaignId === null
        ? []
        : [...(await this.grantsById(unowned)).values()].map((g) => [g.id, g.campaignId] as const),
    );
    const now = this.deps.clock();
    const stale = noLongerObserved(open, { ...state, read, owners });
    for (const d of stale) {
      ensureLeader(state.stillLeader);
      if (await discrepancies.resolve(db, d.id, now, `no longer observed (run ${state.summary.runId})`)) {
        state.summary.resolvedEarlier += 1;
      }
    }
  }

  private async record(
    state: RunState,
    d: Omit<NewDiscrepancy, 'runId' | 'createdAt' | 'status'> & Partial<Pick<NewDiscrepancy, 'status'>>,
  ): Promise<Discrepancy> {
    const { summary } = state;
    const status = d.status ?? 'open';
    summary.found[d.kind] = (summary.found[d.kind] ?? 0) + 1;
    state.found.add(`${d.kind}:${d.grantId ?? ''}`);
    const { discrepancy, created } = await this.deps.discrepancies.record(this.deps.db, {
      ...d,
      status,
      runId: summary.runId,
      createdAt: this.deps.clock(),
    });
    if (discrepancy.status !== 'open') {
      if (!created && discrepancy.resolvedBy !== null) summary.acknowledged += 1;
      return discrepancy;
    }
    summary.unresolved += 1;
    if (!created) return discrepancy;
    await this.deps.alerts
      .raise({
        event: 'reconcile.discrepancy',
        campaignId: d.campaignId,
        occurrence: `discrepancy:${discrepancy.id}`,
        details: { kind: d.kind, grantId: d.grantId, discrepancyId: discrepancy.id, ...d.details },
      })
      .catch((err: unknown) => this.deps.logger.error({ err }, 'alert failed'));
    return discrepancy;
  }
}

/**
 * Whether the ledger recorded the grant as handed to an issuer other than `current`, the one configured for its
 * type now: the issuer moved to another URL since. Null (a grant settled before the ledger kept its issuer) is
 * taken as `current`, as every grant was before.
 */
export function deliveredElsewhere(grant: Pick<GrantRecord, 'issuer'>, current: string): boolean {
  return grant.issuer !== null && grant.issuer !== current;
}

/**
 * A delivered grant at an issuer no longer read: counted, per issuer, and not examined, so the run neither
 * records nor resolves anything about it (it cannot see that issuer).
 */
function countElsewhere(grant: GrantRecord, state: RunState): void {
  const { summary } = state;
  const name = grant.issuer ?? '';
  summary.elsewhere += 1;
  const entry = summary.elsewhereIssuers.find((e) => e.name === name);
  if (entry) entry.grants += 1;
  else summary.elsewhereIssuers.push({ name, grants: 1 });
  summary.elsewhereIssuers.sort((a, b) => b.grants - a.grants || a.name.localeCompare(b.name));
}

/**
 * A void grant the issuer holds was issued before the void when the ledger recorded its delivery, or when the
 * issuer's record is not later than the void (a delivery whose answer was lost, then voided): the money may
 * have been paid and must be taken back or written off. Issued after the void, the issuer ignored a cancelled
 * delivery: a bug to chase at the issuer.
 */
export function issuedBeforeVoid(
  grant: Pick<GrantRecord, 'deliveredAt' | 'voidedAt'>,
  record: Pick<IssuedRecord, 'issuedAt'>,
): boolean {
  if (grant.deliveredAt !== null) return true;
  if (grant.voidedAt === null) return true;
  return record.issuedAt.getTime() <= grant.voidedAt.getTime();
}
