/**
 * Embedded/dev start: the local campaigns/ and rules/ become the active versions. Each campaign whose
 * fingerprint changed gets version N+1 (same load, validate and resolve code as `pocket publish`).
 */
import { loadResolvedCampaigns } from '../definitions/load-resolved-campaigns';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db } from '../ledger/db';
import type { Logger } from '../observability/logger';
import { PublishService, type PublishResult } from './publish-service';

export async function publishLocalDefinitions(deps: {
  db: Db;
  versions: CampaignVersionStore;
  root: string;
  logger: Logger;
  at: Date;
}): Promise<PublishResult[]> {
  const { resolved } = await loadResolvedCampaigns(deps.root);
  const publisher = new PublishService(deps.db, deps.versions);
  const results: PublishResult[] = [];
  for (const campaign of resolved) {
    const meta = {
      author: 'pocket serve',
      gitCommit: null,
      note: 'published on start from local definitions',
      at: deps.at,
    };
    let result: PublishResult;
    try {
      result = await publisher.publish(campaign, meta);
    } catch (error) {
      // Another instance published the same version at the same moment: the second look sees it.
      result = await publisher.publish(campaign, meta);
      deps.logger.debug({ err: error }, 'publish raced another instance');
    }
    if (result.status === 'published') deps.logger.info(result, 'published local campaign');
    results.push(result);
  }
  return results;
}
