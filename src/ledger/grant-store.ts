import type { CampaignCounters, Range, UserCounters } from '../hot-state/hot-state';
import type { Executor } from './db';
import type { FencedCounts, FenceLimits } from './fence-unpositioned-grants';
import type { GrantFences } from './grant-fences';

/** Where a grant stands in a user's list, newest first: the grants list's paging cursor. */
export interface GrantPosition {
  createdAt: Date;
  id: string;
}

export type GrantStatus = 'pending' | 'delivered' | 'failed' | 'dead' | 'void';

export interface NewGrant {
  id: string;
  participationId: string;
  reservationId: string | null;
  campaignId: string;
  campaignVersion: number;
  userId: string;
  rewardId: string;
  rewardType: string;
  segmentId: string | null;
  /** Minor units. */
  amount: number;
  /** Budget charge in minor units. */
  charge: number;
  currency: string | null;
  /** YYYY-MM-DD in the campaign timezone, computed once per request. */
  businessDate: string;
  test: boolean;
  createdAt: Date;
  fences: GrantFences;
}

/** Fence positions a grant held before it was voided (its current positions are then null). */
export interface VoidedPositions {
  stockSlot: number | null;
  budgetRange: Range | null;
  dailyRange: Range | null;
  userSeq: number | null;
  dailySeq: number | null;
}

export interface GrantRecord extends NewGrant {
  status: GrantStatus;
  /** The user's n-th grant in the campaign (and on the business date); null without that limit or once void. */
  userSeq: number | null;
  dailySeq: number | null;
  updatedAt: Date;
  deliveredAt: Date | null;
  voidReason: string | null;
  voidedAt: Date | null;
  voided: VoidedPositions | null;
  /**
   * The issuer the relay last handed it to and recorded an answer from (delivered, refused, dead-lettered): its
   * issuerBase, or `sandbox`. Null before any answer, and for grants settled before the column existed.
   */
  issuer: string | null;
}

export interface CampaignGrantsFilter {
  from?: Date;
  to?: Date;
  status?: GrantStatus;
  limit: number;
  after?: GrantPosition;
}

/** History facts of one user in one campaign (test grants included, void grants excluded). */
export interface UserHistory {
  participations: number;
  grants: number;
  grantsToday: number;
  /** Grants per reward id. */
  rewards: Record<string, number>;
}

/** Real (non-test, non-void) use of a campaign: the public view and publish checks. */
export interface CampaignUsage {
  stockUsed: Record<string, number>;
  /** Budget charges, minor units: exact sums (a campaign without a budget can pass 2^53 − 1). */
  spent: bigint;
  dailySpent: Record<string, bigint>;
  grants: number;
  /**
   * The budget currencies the real grants were made in (their versions' `budget.currency`), when any, void ones
   * included: a version without a budget between two currencies must not let the second one pass the currency
   * check, nor may voiding every grant (the report's "void … given back" is in their currency).
   */
  currencies?: string[];
}

export interface GrantStore {
  /**
   * One INSERT … SELECT that derives user_seq/daily_seq from the user's grants and stores the fences.
   * A refused fence throws; classifyFenceViolation names the resource.
   */
  insertWithFences(q: Executor, grant: NewGrant): Promise<GrantRecord>;
  /** Newest first; `before`: only grants older than that one (keyset paging by created_at, then id). */
  listByUser(
    q: Executor,
    userId: string,
    opts: { campaignId?: string; limit: number; before?: GrantPosition },
  ): Promise<GrantRecord[]>;
  /**
   * A campaign's grants, oldest first (created_at, then id), test and void ones included: `after` continues
   * after that grant (keyset paging); `from` (inclusive) and `to` (exclusive) bound created_at.
   */
  listByCampaign(q: Executor, campaignId: string, opts: CampaignGrantsFilter): Promise<GrantRecord[]>;
  get(q: Executor, id: string): Promise<GrantRecord | null>;
  findByReservation(q: Executor, reservationId: string): Promise<GrantRecord | null>;
  /**
   * Delivery progress; a void grant stays void. Returns false when nothing changed. `issuer`: the issuer that
   * answered (or holds it), written in the same statement; left as it was when not given.
   */
  setStatus(
    q: Executor,
    id: string,
    status: Exclude<GrantStatus, 'void'>,
    at: Date,
    issuer?: string,
  ): Promise<boolean>;
  /**
   * A void grant the issuer accepted anyway (voided while its request was out): its `delivered_at` and `issuer`,
   * status left void, so offline reconciliation reads it as issued before the void. False unless it is void.
   */
  markVoidIssued(q: Executor, id: string, at: Date, issuer: string): Promise<boolean>;
  /** Frees the grant's slot, ranges and sequence numbers (kept in `voided`). False if absent or already void. */
  void(q: Executor, id: string, reason: string, at: Date): Promise<boolean>;
  /** `deadlineMs` (this and userCounters): a statement unanswered by then fails and its connection is dropped. */
  history(
    q: Executor,
    campaignId: string,
    userId: string,
    businessDate: string,
    deadlineMs?: number,
  ): Promise<UserHistory>;
  userCounters(q: Executor, campaignId: string, userId: string, deadlineMs?: number): Promise<UserCounters>;
  /** The hot-state counters the ledger implies: top slot/offset and the free slots/ranges below it. */
  campaignCounters(q: Executor, campaignId: string): Promise<CampaignCounters>;
  usage(q: Executor, campaignId: string): Promise<CampaignUsage>;
  /**
   * Gives the grants made while a limit did not exist a fence position under it (an activation that adds a
   * stock or a budget): see fence-unpositioned-grants.ts.
   */
  fenceUnpositioned(
    q: Executor,
    campaignId: string,
    limits: FenceLimits,
    today: string,
  ): Promise<FencedCounts>;
}
