import type { Executor } from './db';

/** Activity-code nonces are consumed on the participations row (unique (campaign_id, code_nonce)). */
export interface CodeNonceStore {
  isUsed(q: Executor, campaignId: string, nonce: string): Promise<boolean>;
}
