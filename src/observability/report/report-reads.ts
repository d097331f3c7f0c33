/** The ledger as the report reads it: grouped counts, never rows. */
import type { Executor } from '../../ledger/db';
import type { ShiftPeriod } from './timeline-clock';

export interface ReportWindow {
  campaignId: string;
  /** Inclusive. */
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
  /** Their answers without a grant are left out of the counts (a granted one goes with its grant's test flag). */
  testers: readonly string[];
}

export interface OutcomeCount {
  outcome: string;
  /** Whether the participation matched a segment. */
  eligible: boolean;
  count: number;
}

export interface GrantGroup {
  segmentId: string | null;
  rewardId: string;
  rewardType: string;
  status: string;
  grants: number;
  /** Of them, the ones the issuer confirmed (`delivered_at` set), a later void's included. */
  delivered: number;
  /** Exact sums (minor units): a sum of amounts below 2^53 each can pass it. */
  spend: bigint;
  amount: bigint;
}

export interface TimeBucket {
  /** Bucket number: floor(epoch seconds / bucket size). */
  bucket: number;
  participations: number;
  grants: number;
  spend: bigint;
}

export interface ReconciliationCounts {
  openByKind: Record<string, number>;
  resolvedInRange: number;
  lastRealtime: { status: string; startedAt: Date; finishedAt: Date | null } | null;
  lastOffline: { status: string; startedAt: Date; finishedAt: Date | null } | null;
}

export interface OutboxCounts {
  pending: number;
  dead: number;
  oldestPendingAt: Date | null;
}

export interface ReportReads {
  /** Stored participations by outcome and whether a segment matched (testers left out). */
  outcomes(q: Executor, window: ReportWindow): Promise<OutcomeCount[]>;
  testerParticipations(q: Executor, window: ReportWindow): Promise<number>;
  /** Real (non-test) grants by segment, reward and status. */
  grants(q: Executor, window: ReportWindow): Promise<GrantGroup[]>;
  testGrants(q: Executor, window: ReportWindow): Promise<number>;
  /** First and last participation in the window (what the timeline spans). */
  span(q: Executor, window: ReportWindow): Promise<{ first: Date; last: Date } | null>;
  /**
   * Counts by bucket: an instant t is in bucket floor((t + shift) / size) (epoch seconds), its shift that of the
   * period holding it (timeline-clock.ts), so that with the campaign zone's offsets hour and day buckets start on
   * its local hours and days.
   */
  timeline(
    q: Executor,
    window: ReportWindow,
    bucketSeconds: number,
    shifts?: readonly ShiftPeriod[],
  ): Promise<TimeBucket[]>;
  outbox(q: Executor, campaignId: string): Promise<OutboxCounts>;
  reconciliation(q: Executor, window: ReportWindow): Promise<ReconciliationCounts>;
  /** Open discrepancies of every campaign, by kind (the metrics gauge). */
  openDiscrepancies(q: Executor): Promise<Array<{ campaignId: string | null; kind: string; count: number }>>;
}
