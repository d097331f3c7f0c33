import type { CodeNonceStore } from './code-nonce-store';
import type { Executor } from './db';

export class KnexCodeNonceStore implements CodeNonceStore {
  async isUsed(q: Executor, campaignId: string, nonce: string): Promise<boolean> {
    const row = await q('participations').where({ campaign_id: campaignId, code_nonce: nonce }).first('id');
    return row !== undefined;
  }
}
