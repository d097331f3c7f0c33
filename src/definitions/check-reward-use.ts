import type { CampaignDefinition } from './campaign-types';
import { Finding, warning } from './finding';

/**
 * Warnings about what is written but changes nothing: a reward with `stock: 0` or one that no segment lists and
 * that is not the fallback (it can never be granted), and a `score` in a weighted campaign (only the efficiency
 * strategy reads it).
 */
export function checkRewardUse(campaign: CampaignDefinition): Finding[] {
  const findings: Finding[] = [];
  const offered = new Set(
    campaign.segments.flatMap((segment) => segment.rewards.map((entry) => entry.reward)),
  );
  if (campaign.decision.fallback !== undefined) offered.add(campaign.decision.fallback);
  campaign.rewards.forEach((reward, i) => {
    if (!offered.has(reward.id)) {
      const message = `reward ${reward.id} is in no segment's rewards and is not decision.fallback, so it can never be granted: offer it in a segment, make it the fallback or remove it`;
      findings.push(warning(['rewards', i, 'id'], message));
    } else if (reward.type !== 'none' && reward.stock === 0) {
      findings.push(warning(['rewards', i, 'stock'], `stock 0: reward ${reward.id} can never be granted`));
    }
  });
  if (campaign.decision.strategy !== 'efficiency') {
    campaign.segments.forEach((segment, i) =>
      segment.rewards.forEach((entry, j) => {
        if (entry.score === undefined) return;
        const message = `score is only read by decision.strategy efficiency; this campaign is ${campaign.decision.strategy}, so it changes nothing`;
        findings.push(warning(['segments', i, 'rewards', j, 'score'], message));
      }),
    );
  }
  return findings;
}
