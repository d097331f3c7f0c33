/** The ledger as the participation pipeline uses it: stored answers, history, and the one grant transaction. */
import { ForbiddenError } from '../errors/app-error';
import type { UserCounters } from '../hot-state/hot-state';
import type { NewGrant } from '../ledger/grant-store';
import type { HistoryFact } from '../rules/facts';

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: string;
  outcome: string;
  /** The campaign version the answer was decided on (null: before a version was pinned). */
  campaignVersion: number | null;
}

/** A final answer without a grant (200 business no, 403 refusal). */
export interface OutcomeRecord {
  id: string;
  campaignId: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  campaignVersion: number | null;
  outcome: string;
  reason: string | null;
  status: number;
  body: string;
  businessDate: string | null;
  segmentId: string | null;
  clientId: string | null;
  codeNonce: string | null;
  decision: Record<string, unknown> | null;
  createdAt: Date;
}

/** The grant as the pipeline builds it; participation id, campaign, version, user and date come from the record. */
export type GrantDraft = Omit<
  NewGrant,
  'participationId' | 'campaignId' | 'campaignVersion' | 'userId' | 'businessDate' | 'createdAt' | 'segmentId'
>;

export type FenceResource = 'stock' | 'budget' | 'daily_budget' | 'user_total' | 'user_daily';

export type GrantWriteResult =
  | { kind: 'committed' }
  /** The same (campaign, user, key) committed first: replay its answer. */
  | { kind: 'duplicate'; stored: StoredAnswer | null }
  /** The code nonce was consumed by another participation. */
  | { kind: 'code_used' }
  /** The ledger's fence refused: the hot state was wrong. Definite rollback. */
  | { kind: 'fence'; resource: FenceResource }
  /** `definite`: rolled back for sure; otherwise the commit's result is unknown (reconciliation settles it). */
  | { kind: 'failed'; definite: boolean; error: unknown };

export interface ParticipationLedger {
  findStored(campaignId: string, userId: string, idempotencyKey: string): Promise<StoredAnswer | null>;
  history(campaignId: string, userId: string, businessDate: string): Promise<HistoryFact>;
  userCounters(campaignId: string, userId: string): Promise<UserCounters>;
  /** Stores a final answer; when the scope already has one, returns that instead (first writer wins). */
  recordAnswer(record: OutcomeRecord): Promise<StoredAnswer>;
  /** participation + grant + outbox in one transaction, fenced. */
  recordGrant(participation: OutcomeRecord, grant: GrantDraft): Promise<GrantWriteResult>;
}

/** Thrown by recordAnswer when the activity code's nonce was consumed by another participation. */
export class CodeNonceTakenError extends ForbiddenError {
  constructor() {
    super('code_used', 'this activity code has already been used');
  }
}
