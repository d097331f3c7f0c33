import { createHash } from 'node:crypto';
import type {
  CampaignDefinition,
  Condition,
  RuleDefinition,
  SegmentDefinition,
} from '../../../src/definitions/campaign-types';
import type { ResolvedCampaign } from '../../../src/definitions/resolve-campaign';

/** A segment for the fixture: `[segmentId, ruleId]`, or `[segmentId]` for a catch-all. */
export type SegmentSpec = readonly [id: string, when?: string];

/**
 * Builds a ResolvedCampaign directly (what src/definitions' resolveCampaign returns), so the rules tests do
 * not depend on the loader. Every segment gets a single consolation reward.
 */
export function resolvedCampaign(
  rules: Record<string, Condition>,
  segments: readonly SegmentSpec[] = Object.keys(rules).map((id) => [id, id] as const),
  id = 'test-campaign',
): ResolvedCampaign {
  const ruleDefinitions: Record<string, RuleDefinition> = {};
  for (const [ruleId, conditions] of Object.entries(rules))
    ruleDefinitions[ruleId] = { id: ruleId, conditions };
  const segmentDefinitions: SegmentDefinition[] = segments.map(([segmentId, when]) => ({
    id: segmentId,
    ...(when === undefined ? {} : { when }),
    rewards: [{ reward: 'thanks', weight: 1 }],
  }));
  const definition: CampaignDefinition = {
    id,
    name: 'Test campaign',
    owner: 'rules-tests',
    status: 'active',
    window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' },
    timezone: 'Asia/Shanghai',
    entry: { activityCode: 'none' },
    rewards: [{ id: 'thanks', type: 'none' }],
    segments: segmentDefinitions,
    decision: { strategy: 'weighted' },
  };
  const canonical = JSON.stringify({ definition, rules: ruleDefinitions });
  const fingerprint = createHash('sha256').update(canonical).digest('hex');
  return { definition, rules: ruleDefinitions, canonical, fingerprint };
}
