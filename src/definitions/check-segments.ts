import type { CampaignDefinition, SegmentDefinition } from './campaign-types';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';
import { error, Finding } from './finding';
import { duplicateIdFindings } from './first-occurrences';

function checkSegmentRewards(
  segment: SegmentDefinition,
  index: number,
  rewardIds: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  segment.rewards.forEach((entry, j) => {
    const at = ['segments', index, 'rewards', j];
    if (!rewardIds.includes(entry.reward)) {
      const hint = didYouMean(entry.reward, rewardIds);
      findings.push(error([...at, 'reward'], `reward "${entry.reward}" is not defined in rewards${hint}`));
    }
    const earlier = seen.get(entry.reward);
    if (earlier !== undefined) {
      findings.push(
        error([...at, 'reward'], `reward "${entry.reward}" is already listed at rewards[${earlier}]`),
      );
    } else {
      seen.set(entry.reward, j);
    }
    if (!(typeof entry.weight === 'number' && entry.weight > 0)) {
      findings.push(error([...at, 'weight'], `must be greater than 0 (got ${describeValue(entry.weight)})`));
    }
  });
  return findings;
}

/**
 * Segment checks: unique ids, `when` naming a known rule, rewards naming this campaign's rewards (once
 * each) with positive weights, and no segment after a catch-all (a segment without `when` takes everyone,
 * so later segments can never match).
 */
export function checkSegments(
  campaign: CampaignDefinition,
  known: { ids: ReadonlySet<string>; complete: boolean },
): Finding[] {
  const rewardIds = campaign.rewards.map((r) => r.id);
  const findings = duplicateIdFindings(
    'segment id',
    campaign.segments.map((s, i) => ({ id: s.id, path: ['segments', i, 'id'] })),
  );
  let catchAll: string | undefined;
  campaign.segments.forEach((segment, i) => {
    if (catchAll !== undefined) {
      const message = `segment "${segment.id}" can never match: the earlier segment "${catchAll}" has no "when" and takes everyone`;
      findings.push(error(['segments', i], message));
    }
    if (segment.when === undefined) catchAll ??= segment.id;
    else if (known.complete && !known.ids.has(segment.when)) {
      const hint = didYouMean(segment.when, known.ids);
      findings.push(error(['segments', i, 'when'], `rule "${segment.when}" is not defined in rules/${hint}`));
    }
    findings.push(...checkSegmentRewards(segment, i, rewardIds));
  });
  return findings;
}
