/**
 * Embedded/dev start: the local campaigns/ and rules/ become the active versions, through the same load,
 * validate, resolve, check and publish code as `pocket publish`. Each campaign is published on its own, so a
 * refused one (e.g. a stock cut below what is used) keeps its active version and the others still go out.
 * Only content never published goes out: files that hold a published version other than the active one are left
 * alone. A restart must not undo a rollback (the files hold the newer version rolled back from), nor a publish made
 * from other files (`pocket publish` from CI while this instance's files are older): editing the files (a new
 * version) or `pocket publish` switches versions.
 */
import { ConfigError } from '../config';
import { isRepository } from '../definitions/definition-files';
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
  /** What set the root: named in the message, as a bad value of a variable is. */
  setting?: 'POCKET_DEFINITIONS' | '--root';
  logger: Logger;
}): Promise<PublishOutcome[]> {
  // The root comes from POCKET_DEFINITIONS (or the working directory) or `pocket --root`: name what to fix.
  if (!(await isRepository(deps.root))) {
    const named = deps.setting === '--root' ? `--root ${deps.root}` : `POCKET_DEFINITIONS="${deps.root}"`;
    throw new ConfigError(
      `invalid configuration:\n  ${named}: holds no campaigns/ or rules/ directory; ` +
        'point it at the definitions repository (the service publishes its campaigns on start), or set ' +
        'POCKET_PUBLISH_ON_START=false',
    );
  }
  const { resolved } = await loadResolvedCampaigns(deps.root);
  const outcomes: PublishOutcome[] = [];
  for (const campaign of resolved) {
    const switched = await switchedFrom(deps.lifecycle, campaign);
    if (switched !== null) {
      deps.logger.warn({ campaignId: campaign.definition.id, ...switched }, switchedMessage(switched));
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

interface Switched {
  /** The version that runs. */
  active: number;
  /** The published version the local files hold. */
  local: number;
  newest: number;
}

function switchedMessage({ active, local, newest }: Switched): string {
  if (local > active && local === newest) {
    return `local definition not published: the campaign runs version ${active} (a rollback), older than version ${newest}, which the local files hold; a restart does not undo a rollback: pocket publish makes them active again`;
  }
  return `local definition not published: the campaign runs version ${active}, the local files hold version ${local}, published before; a restart does not switch a campaign to another published version (a pocket publish or a rollback made version ${active} active): pocket publish makes the files' version active again`;
}

/** When the local files hold a published version that is not the active one: which, and which is active. */
async function switchedFrom(
  lifecycle: Pick<Lifecycle, 'versions'>,
  campaign: ResolvedCampaign,
): Promise<Switched | null> {
  let history: VersionHistory;
  try {
    history = await lifecycle.versions(campaign.definition.id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'campaign_not_found') return null;
    throw error;
  }
  const newest = history.versions[0];
  const local = history.versions.find((v) => v.fingerprint === campaign.fingerprint);
  if (history.activeVersion === null || newest === undefined || local === undefined) return null;
  if (local.version === history.activeVersion) return null;
  return { active: history.activeVersion, local: local.version, newest: newest.version };
}
