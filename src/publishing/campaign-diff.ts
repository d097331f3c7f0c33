/** The local definition of a campaign against a published version body: what `pocket diff` shows. */
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import { diffValues, type ValueChange } from './diff-values';

export interface CampaignDiff {
  campaignId: string;
  /** null: never published; publishing would create version 1. */
  activeVersion: number | null;
  changed: boolean;
  changes: ValueChange[];
}

/** Definition paths read as in the YAML (`rewards[1].stock`); rule paths start with `rules.<id>`. */
export function campaignDiff(
  local: ResolvedCampaign,
  active: { version: number; body: string; fingerprint: string } | null,
): CampaignDiff {
  const campaignId = local.definition.id;
  // Never published: everything is new, so the review shows every top-level value the first version would hold.
  const published = active
    ? (JSON.parse(active.body) as { definition: unknown; rules: unknown })
    : { definition: {}, rules: {} };
  const changes = [
    ...diffValues(published.definition, local.definition),
    ...diffValues(published.rules, local.rules, ['rules']),
  ];
  return {
    campaignId,
    activeVersion: active?.version ?? null,
    changed: active === null || active.fingerprint !== local.fingerprint,
    changes,
  };
}
