import type { Executor } from '../ledger/db';

/**
 * Every difference between the ledger, the hot state and the issuers. Real-time kinds are repaired at once
 * (recorded resolved); offline and delivery kinds that need a person stay open.
 */
/** Offline: the ledger against the issuers' records (what `pocket reconcile` finds). */
export const OFFLINE_KINDS = [
  'missing_downstream',
  'unknown_downstream',
  'record_mismatch',
  'issued_twice',
  /** The issuer holds a record of a void grant that it issued before the void (delivered, then voided). */
  'voided_but_issued',
  /** The issuer issued a grant after it was voided: an issuer (or relay) bug. */
  'issued_after_void',
  'delivery_not_recorded',
] as const;

export const DISCREPANCY_KINDS = [
  // real-time: hot state vs ledger + live reservations
  'hot_state_lost',
  'counter_drift',
  'user_counter_drift',
  'reservation_released',
  'reservation_confirmed',
  // delivery
  'delivery_rejected',
  'delivery_dead',
  ...OFFLINE_KINDS,
] as const;

export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export type DiscrepancyStatus = 'open' | 'resolved';

export interface NewDiscrepancy {
  runId: string | null;
  kind: DiscrepancyKind;
  campaignId: string | null;
  grantId: string | null;
  details: Record<string, unknown>;
  status: DiscrepancyStatus;
  /** Why it is resolved (the repair made), when recorded resolved. */
  resolution?: string | null;
  createdAt: Date;
}

export interface Discrepancy extends Required<NewDiscrepancy> {
  id: string;
  resolvedAt: Date | null;
  /** Who resolved it by hand (`pocket discrepancies resolve`); null when pocket resolved it itself. */
  resolvedBy: string | null;
}

/** A discrepancy as listed: with the money its grant puts at stake (budgetCharge), null without a ledger grant. */
export interface ListedDiscrepancy extends Discrepancy {
  charge: number | null;
  currency: string | null;
}

export interface DiscrepancyFilter {
  status?: DiscrepancyStatus;
  kinds?: readonly DiscrepancyKind[];
  campaignId?: string;
  grantId?: string;
  runId?: string;
}

export interface DiscrepancyStore {
  /**
   * Records a discrepancy. About a grant, a kind is open at most once: when the same one is already open,
   * that one is returned (`created: false`) and nothing is written. An open one whose latest predecessor (same
   * grant and kind) a person resolved with the same details is not reopened either: that resolved one is
   * returned (`created: false`); different details are a new difference and open a new discrepancy.
   */
  record(q: Executor, discrepancy: NewDiscrepancy): Promise<{ discrepancy: Discrepancy; created: boolean }>;
  get(q: Executor, id: string): Promise<Discrepancy | undefined>;
  /** Resolves an open discrepancy; `resolvedBy` names the person who did (null: pocket itself). */
  resolve(
    q: Executor,
    id: string,
    at: Date,
    resolution: string,
    resolvedBy?: string | null,
  ): Promise<boolean>;
  /** Oldest first, each with its grant's charge and currency. */
  list(q: Executor, filter?: DiscrepancyFilter): Promise<ListedDiscrepancy[]>;
}
