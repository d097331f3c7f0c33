/**
 * The registry's view of the ledger for the every-second poll: it reads only the active heads (campaign,
 * version, fingerprint) and fetches a body only for a version it has not seen, so a poll costs one small
 * query however large the campaigns are.
 */
import type { CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Executor } from '../ledger/db';
import type { ActiveVersionRow, ActiveVersionSource } from './live-registry';

export function ledgerVersionSource(
  db: Executor,
  versions: Pick<CampaignVersionStore, 'activeHeads' | 'get' | 'pausedCampaigns'>,
): ActiveVersionSource {
  let known = new Map<string, ActiveVersionRow>();
  const keyOf = (row: { campaignId: string; version: number; fingerprint: string }): string =>
    `${row.campaignId}\u0000${row.version}\u0000${row.fingerprint}`;
  return {
    async activeVersions() {
      const heads = await versions.activeHeads(db);
      const next = new Map<string, ActiveVersionRow>();
      for (const head of heads) {
        const key = keyOf(head);
        let row = known.get(key);
        if (!row) {
          const record = await versions.get(db, head.campaignId, head.version);
          // Deactivated between the two reads: the next poll sees the new head.
          if (!record || record.fingerprint !== head.fingerprint) continue;
          row = { ...head, body: record.body };
        }
        next.set(key, row);
      }
      known = next;
      return [...next.values()];
    },
    pausedCampaigns: () => versions.pausedCampaigns(db),
  };
}
