import type { Executor } from '../ledger/db';
import type { GrantRecord } from '../ledger/grant-store';

export interface DeliveredPageQuery {
  since: Date;
  until: Date;
  campaignId: string | null;
  /** Keyset: the last grant of the previous page. */
  after: { deliveredAt: Date; id: string } | null;
  limit: number;
  /** Only grants created before this instant. */
  createdBefore?: Date;
}

export interface UndeliveredPageQuery {
  since: Date;
  until: Date;
  campaignId: string | null;
  /** Keyset: the last grant of the previous page. */
  after: { updatedAt: Date; id: string } | null;
  limit: number;
  /** Only grants created before this instant. */
  createdBefore?: Date;
}

/** The ledger as reconciliation reads it (read models over grants and participations). */
export interface ReconciliationReads {
  /**
   * Users of a campaign worth checking now: who participated since `since`, and whose grant was voided since
   * then (a void changes their counts). At most `limit`, most recent first.
   */
  recentUsers(q: Executor, campaignId: string, since: Date, limit: number): Promise<string[]>;
  /** Grants with status delivered and delivered_at in [since, until), by (delivered_at, id). */
  deliveredGrants(q: Executor, query: DeliveredPageQuery): Promise<GrantRecord[]>;
  /**
   * Grants the ledger gave up on (status failed or dead) in [since, until) of the time it did (updated_at, which
   * nothing but a status change moves), by (updated_at, id).
   */
  undeliveredGrants(q: Executor, query: UndeliveredPageQuery): Promise<GrantRecord[]>;
  grantsByIds(q: Executor, ids: readonly string[]): Promise<GrantRecord[]>;
}
