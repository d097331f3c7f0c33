/**
 * Publishing: a resolved campaign becomes version N+1 only when its fingerprint differs from the latest
 * version, and that version is activated, in one transaction per campaign. Versions are immutable.
 */
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db } from '../ledger/db';

export interface PublishMeta {
  author: string | null;
  gitCommit: string | null;
  note: string | null;
  at: Date;
}

export type PublishResult =
  | { campaignId: string; status: 'published'; version: number; previous: number | null }
  | { campaignId: string; status: 'unchanged'; version: number };

export class PublishService {
  constructor(
    private readonly db: Db,
    private readonly versions: CampaignVersionStore,
  ) {}

  async publish(resolved: ResolvedCampaign, meta: PublishMeta): Promise<PublishResult> {
    const campaignId = resolved.definition.id;
    return this.db.transaction(async (trx) => {
      const active = await this.versions.active(trx, campaignId);
      if (active && active.fingerprint === resolved.fingerprint) {
        return { campaignId, status: 'unchanged', version: active.version };
      }
      const latest = await this.versions.latest(trx, campaignId);
      const version = (latest?.version ?? 0) + 1;
      await this.versions.insert(trx, {
        campaignId,
        version,
        fingerprint: resolved.fingerprint,
        body: resolved.canonical,
        createdAt: meta.at,
        author: meta.author,
        gitCommit: meta.gitCommit,
        note: meta.note,
      });
      await this.versions.activate(trx, campaignId, version);
      return { campaignId, status: 'published', version, previous: active?.version ?? null };
    });
  }
}
