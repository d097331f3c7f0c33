import type { CodeNonceStore } from './code-nonce-store';
import { withDeadline, type Executor } from './db';

export class KnexCodeNonceStore implements CodeNonceStore {
  async isUsed(q: Executor, campaignId: string, nonce: string, deadlineMs?: number): Promise<boolean> {
    const row = await withDeadline(
      q('participations').where({ campaign_id: campaignId, code_nonce: nonce }).first('id'),
      deadlineMs,
    );
    return row !== undefined;
  }
}
