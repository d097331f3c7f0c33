import type { Executor } from './db';

/** One executed participation; only final answers (200, 201, 403) are stored. */
export interface ParticipationRecord {
  id: string;
  campaignId: string;
  userId: string;
  idemKey: string;
  /** Fingerprint of the request body: the same key with a different body is a 422. */
  requestHash: string;
  campaignVersion: number | null;
  outcome: string;
  reason: string | null;
  statusCode: number;
  /** The exact response body, replayed byte for byte. */
  response: string;
  grantId: string | null;
  businessDate: string | null;
  segmentId: string | null;
  clientId: string | null;
  /** The activity code's nonce, consumed with this participation (unique per campaign). */
  codeNonce: string | null;
  /** Fraud/risk decisions and reasons (stored as JSON). */
  decision: Record<string, unknown> | null;
  createdAt: Date;
}

export interface ParticipationStore {
  /** The stored participation of the idempotency scope (campaign, user, key), or null. */
  findByScope(
    q: Executor,
    campaignId: string,
    userId: string,
    idemKey: string,
  ): Promise<ParticipationRecord | null>;
  /** The stored participations of many scopes [campaign, user, key] in one statement (absent ones are missing). */
  findByScopes(
    q: Executor,
    scopes: ReadonlyArray<readonly [campaignId: string, userId: string, idemKey: string]>,
  ): Promise<ParticipationRecord[]>;
  /** Throws a fence violation ('idempotency' / 'activity_code') when the scope or code nonce is taken. */
  /** `deadlineMs`: the statement fails (KnexTimeoutError) when unanswered by then, and its connection is dropped. */
  insert(q: Executor, participation: ParticipationRecord, deadlineMs?: number): Promise<void>;
}
