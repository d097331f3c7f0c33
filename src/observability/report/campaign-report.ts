/**
 * The campaign report (`pocket report`, `GET /admin/campaigns/{id}/report`, the dashboard): one shape, computed
 * from the ledger by one service. Money is integer minor units (MinorUnits: a string past 2^53 − 1). Testers are
 * left out of every figure but `testers` (their grants are flagged test and spend nothing).
 */
import type { MinorUnits } from '../../shared/minor-units';

export interface ReportRange {
  /** Inclusive; null = from the first participation. */
  from: string | null;
  /** Exclusive; null = up to now. */
  to: string | null;
}

export interface Funnel {
  /** Stored (final) answers: granted, business refusals and 403 refusals. Transient 409/429/503 are not stored. */
  participations: number;
  /** Participations that matched a segment (granted, or refused for stock, budget or the per-user limit). */
  eligible: number;
  granted: number;
  /** Granted and confirmed by the issuer (`delivered_at` set): a grant voided after its delivery included. */
  delivered: number;
}

export interface GrantBreakdown {
  grants: number;
  /** Budget charge, minor units. */
  spend: MinorUnits;
  /** What the users got (red packet amount, coupon face value), minor units. */
  amount: MinorUnits;
}

export interface SegmentLine extends GrantBreakdown {
  /** null: grants given outside any segment (a risk "soft" fallback). */
  segmentId: string | null;
}

export interface RewardLine extends GrantBreakdown {
  rewardId: string;
  type: string;
}

export interface BudgetLine {
  plan: MinorUnits;
  used: MinorUnits;
  /** What is left of the plan, never below 0; with `overspent`, plan = used + remaining − overspent. */
  remaining: MinorUnits;
  /** Used beyond the plan (a budget cut below what was spent, forced through), else 0. */
  overspent: MinorUnits;
  /** used / plan, 0..1 (may exceed 1 after a budget cut). */
  usedRatio: number;
}

export interface StockLine {
  rewardId: string;
  /** null: unlimited. */
  plan: number | null;
  used: number;
  /** What is left of the plan, never below 0; with `overgranted`, plan = used + remaining − overgranted. */
  remaining: number | null;
  /** Granted beyond the plan (a stock cut below what was granted, forced through), else 0. */
  overgranted: number;
}

export interface DeliveryStatus {
  /** Grants to deliver by status (pending, delivered, failed, dead, void); consolations are not among them. */
  byStatus: Record<string, number>;
  /**
   * Their budget charge by the same status, minor units: what was paid (`delivered`), is owed (`pending`),
   * waits for a person (`failed`, `dead`: still charged) and was given back (`void`, left out of every spend).
   */
  spendByStatus: Record<string, MinorUnits>;
  /** Consolation grants (type none): recorded, counted in `granted`, never sent. */
  consolations: number;
  /** Outbox entries waiting for the relay. */
  backlog: number;
  /**
   * Entries the relay gave up on: refused by the issuer (grant `failed`) or out of retries (grant `dead`),
   * testers' included; a void closes its entry. Shown as "given up": next to `byStatus.dead`, a second "dead"
   * read as more grants.
   */
  dead: number;
  /** Oldest waiting entry's creation, and how far delivery lags behind it. */
  oldestPendingAt: string | null;
  lagSeconds: number;
}

export interface ReconcileRunView {
  status: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface ReconciliationStatus {
  /**
   * ok: nothing open and the last runs completed; discrepancies: some need a person; run_failed: nothing open, but
   * the last real-time or offline run failed, so "nothing open" may only mean nothing was looked at.
   */
  state: 'ok' | 'discrepancies' | 'run_failed';
  openDiscrepancies: number;
  /** Open ones by kind. */
  openByKind: Record<string, number>;
  /** Resolved in the report range: repaired by reconciliation (real-time drift, released reservations…) or by hand. */
  resolvedInRange: number;
  lastRealtime: ReconcileRunView | null;
  lastOffline: ReconcileRunView | null;
}

export interface TimelinePoint {
  /** Bucket start. */
  at: string;
  participations: number;
  grants: number;
  spend: MinorUnits;
}

export interface CampaignReport {
  campaignId: string;
  generatedAt: string;
  range: ReportRange;
  campaign: {
    name: string;
    version: number;
    status: string;
    paused: boolean;
    window: { start: string; end: string };
    timezone: string;
    /** The budget's currency, else the one the grants were made in (a later version may drop its budget). */
    currency: string | null;
  };
  funnel: Funnel;
  /** Every stored outcome (granted included) with its count. */
  outcomes: Record<string, number>;
  /** Outcomes other than granted, most frequent first. */
  refusals: Array<{ reason: string; count: number }>;
  bySegment: SegmentLine[];
  byReward: RewardLine[];
  /** Against the plan of the active version; all-time (the range does not apply: the plan is the campaign's). */
  budget: {
    currency: string | null;
    /** The currency's ISO 4217 minor unit digits (CNY 2, JPY 0): how to show the minor units as major ones. */
    minorDigits: number | null;
    total: BudgetLine | null;
    /** Today's business date in the campaign timezone. */
    today: (BudgetLine & { date: string }) | null;
    /** Spend per business date (the campaign timezone's, as the daily budget counts it), oldest first. */
    byDate: Array<{ date: string; used: MinorUnits }>;
  };
  stock: StockLine[];
  delivery: DeliveryStatus;
  reconciliation: ReconciliationStatus;
  timeline: { bucketSeconds: number; points: TimelinePoint[] };
  testers: { participations: number; grants: number };
}
