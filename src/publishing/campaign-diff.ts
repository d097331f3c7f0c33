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
  if (!active) return { campaignId, activeVersion: null, changed: true, changes: [] };
  const published = JSON.parse(active.body) as { definition: unknown; rules: unknown };
  const changes = [
    ...diffValues(published.definition, local.definition),
    ...diffValues(published.rules, local.rules, ['rules']),
  ];
  return {
    campaignId,
    activeVersion: active.version,
    changed: active.fingerprint !== local.fingerprint,
    changes,
  };
}
