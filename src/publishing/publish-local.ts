/**
 * Embedded/dev start: the local campaigns/ and rules/ become the active versions, through the same load,
 * validate, resolve, check and publish code as `pocket publish`. Each campaign is published on its own, so a
 * refused one (e.g. a stock cut below what is used) keeps its active version and the others still go out.
 * A campaign rolled back from the version its local files still hold is left alone: a restart must not undo a
 * rollback; editing the files (a new version) or `pocket publish` does.
 */
import { loadResolvedCampaigns } from '../definitions/load-resolved-campaigns';
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import { AppError } from '../errors/app-error';
import type { Logger } from '../observability/logger';
import type { Lifecycle, PublishOutcome, VersionHistory } from './lifecycle';

const START_META = {
  author: 'pocket serve',
  gitCommit: null,
  note: 'published on start from local definitions',
  force: false,
};

export async function publishLocalDefinitions(deps: {
  lifecycle: Pick<Lifecycle, 'publish' | 'versions'>;
  root: string;
  logger: Logger;
}): Promise<PublishOutcome[]> {
  const { resolved } = await loadResolvedCampaigns(deps.root);
  const outcomes: PublishOutcome[] = [];
  for (const campaign of resolved) {
    const rolledBack = await rolledBackFrom(deps.lifecycle, campaign);
    if (rolledBack !== null) {
      deps.logger.warn(
        { campaignId: campaign.definition.id, ...rolledBack },
        `local definition not published: the campaign runs version ${rolledBack.active} (a rollback), older than version ${rolledBack.newest}, which the local files hold; a restart does not undo a rollback: pocket publish makes them active again`,
      );
      continue;
    }
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

/** The active and newest versions when the campaign runs an older version than its newest, the local files'. */
async function rolledBackFrom(
  lifecycle: Pick<Lifecycle, 'versions'>,
  campaign: ResolvedCampaign,
): Promise<{ active: number; newest: number } | null> {
  let history: VersionHistory;
  try {
    history = await lifecycle.versions(campaign.definition.id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'campaign_not_found') return null;
    throw error;
  }
  const newest = history.versions[0];
  if (history.activeVersion === null || newest === undefined) return null;
  if (newest.version === history.activeVersion || newest.fingerprint !== campaign.fingerprint) return null;
  return { active: history.activeVersion, newest: newest.version };
}
