import type { Executor } from './db';

/** Activity-code nonces are consumed on the participations row (unique (campaign_id, code_nonce)). */
export interface CodeNonceStore {
  /** `deadlineMs`: unanswered by then, the statement fails (KnexTimeoutError) and its connection is dropped. */
  isUsed(q: Executor, campaignId: string, nonce: string, deadlineMs?: number): Promise<boolean>;
}
