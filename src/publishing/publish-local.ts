/**
 * Embedded/dev start: the local campaigns/ and rules/ become the active versions, through the same load,
 * validate, resolve, check and publish code as `pocket publish`. Each campaign is published on its own, so a
 * refused one (e.g. a stock cut below what is used) keeps its active version and the others still go out.
 */
import { loadResolvedCampaigns } from '../definitions/load-resolved-campaigns';
import { AppError } from '../errors/app-error';
import type { Logger } from '../observability/logger';
import type { Lifecycle, PublishOutcome } from './lifecycle';

const START_META = {
  author: 'pocket serve',
  gitCommit: null,
  note: 'published on start from local definitions',
  force: false,
};

export async function publishLocalDefinitions(deps: {
  lifecycle: Pick<Lifecycle, 'publish'>;
  root: string;
  logger: Logger;
}): Promise<PublishOutcome[]> {
  const { resolved } = await loadResolvedCampaigns(deps.root);
  const outcomes: PublishOutcome[] = [];
  for (const campaign of resolved) {
    let published: PublishOutcome[];
    try {
      published = await deps.lifecycle.publish([campaign], START_META);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code !== 'publish_conflict') {
        deps.logger.error(
          { campaignId: campaign.definition.id, err: error },
          `local definition not published: ${error.message}; run pocket publish`,
        );
        continue;
      }
      // Another instance published the same version at the same moment: the second look sees it.
      published = await deps.lifecycle.publish([campaign], START_META);
    }
    for (const outcome of published) {
      if (outcome.status === 'published') deps.logger.info(outcome, 'published local campaign');
      outcomes.push(outcome);
    }
  }
  return outcomes;
}
