import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { checkChannels, checkDailyCaps, checkWindowRange } from './check-entry-and-caps';
import { checkProfileTypes } from './check-profile-types';
import { checkRewardUse } from './check-reward-use';
import { checkRewards } from './check-rewards';
import { checkSegmentOverlap } from './check-segment-overlap';
import { checkSegments } from './check-segments';
import { checkTimeZone } from './check-time-zone';
import { closest } from './did-you-mean';
import { error, Finding } from './finding';
import { duplicateIdFindings } from './first-occurrences';

export interface KnownRules {
  /** Every rule id defined in rules/, including ids in files that failed validation. */
  ids: ReadonlySet<string>;
  /** False when a rules file could not be parsed: an unknown rule id may be one of its rules. */
  complete: boolean;
  /** Valid rules by id. */
  rules: ReadonlyMap<string, RuleDefinition>;
}

function checkWindow({ start, end }: CampaignDefinition['window']): Finding[] {
  const [from, to] = [Date.parse(start), Date.parse(end)];
  if (Number.isNaN(from) || Number.isNaN(to) || from < to) return [];
  return [error(['window'], `start (${start}) must be before end (${end})`)];
}

function checkFallback(campaign: CampaignDefinition): Finding[] {
  const fallback = campaign.decision.fallback;
  const rewardIds = campaign.rewards.map((r) => r.id);
  if (fallback === undefined || rewardIds.includes(fallback)) return [];
  const suggestion = closest(fallback, rewardIds);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : `; rewards: ${rewardIds.join(', ')}`;
  return [error(['decision', 'fallback'], `fallback "${fallback}" is not a reward of this campaign${hint}`)];
}

/**
 * Every check of one schema-valid campaign against itself and the rules: window, time zone, channels, rewards
 * and money, segments, fallback, testers, and the daily-cap, overlap, budget, reward-use and testers' quoted-number
 * warnings.
 */
export function checkCampaign(campaign: CampaignDefinition, known: KnownRules): Finding[] {
  return [
    ...checkWindow(campaign.window),
    ...checkWindowRange(campaign.window),
    ...checkTimeZone(campaign.timezone),
    ...checkChannels(campaign.entry),
    ...checkDailyCaps(campaign),
    ...checkRewards(campaign),
    ...checkSegments(campaign, known),
    ...checkFallback(campaign),
    ...duplicateIdFindings(
      'tester',
      (campaign.testers ?? []).map((t, i) => ({ id: t.userId, path: ['testers', i, 'userId'] })),
    ),
    ...checkSegmentOverlap(campaign, known.rules),
    ...checkRewardUse(campaign),
    ...(campaign.testers ?? []).flatMap((t, i) =>
      checkProfileTypes(t.profile, ['testers', i, 'profile'], campaign, known.rules),
    ),
  ];
}
