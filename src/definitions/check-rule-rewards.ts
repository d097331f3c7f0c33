import { historyPath } from '../rules/history-shape';
import { isPlainPath } from '../rules/vocabulary';
import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { conditionLeaves, isFactReference } from './condition-leaves';
import { didYouMean } from './did-you-mean';
import { error, Finding } from './finding';
import type { DocPath } from './finding';

/** The reward id a `{ fact: history, path: rewards.<id> }` reads, if that is what the node is. */
function rewardRead(node: Record<string, unknown>): string | undefined {
  const { fact, path } = node;
  if (fact !== 'history' || typeof path !== 'string' || !isPlainPath(path)) return undefined;
  const read = historyPath(path);
  return read.kind === 'reward' ? read.rewardId : undefined;
}

/**
 * A rule is shared by campaigns, so its `history` paths `rewards.<rewardId>` can only be checked against a
 * campaign that uses it (a segment's `when`). Reports each reward id the campaign does not have, at the path
 * in the rule (`ruleAt` is the rule's path in its rules file), naming the campaign and its segment.
 */
export function checkRuleRewards(
  rule: RuleDefinition,
  ruleAt: DocPath,
  campaign: CampaignDefinition,
  segmentId: string,
): Finding[] {
  const rewardIds = campaign.rewards.map((r) => r.id);
  const findings: Finding[] = [];
  for (const { node, at } of conditionLeaves(rule.conditions, [...ruleAt, 'conditions'])) {
    const reads: [Record<string, unknown>, DocPath][] = [[node, at]];
    const value = node['value'];
    if (isFactReference(value)) reads.push([value, [...at, 'value']]);
    for (const [read, where] of reads) {
      const rewardId = rewardRead(read);
      if (rewardId === undefined || rewardIds.includes(rewardId)) continue;
      const hint = didYouMean(rewardId, rewardIds) || `; its rewards: ${rewardIds.join(', ')}`;
      const message = `reward "${rewardId}" is not a reward of campaign "${campaign.id}", whose segment "${segmentId}" uses this rule${hint}`;
      findings.push(error([...where, 'path'], message));
    }
  }
  return findings;
}
