import { utcOffsetSeconds } from '../decision/business-date';
import { localTime, offsetLabel } from '../shared/local-time';
import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { checkChannels, checkDailyCaps, checkWindowRange } from './check-entry-and-caps';
import { checkProfileTypes } from './check-profile-types';
import { checkRewardUse } from './check-reward-use';
import { checkRewards } from './check-rewards';
import { checkSegmentOverlap } from './check-segment-overlap';
import { checkSegments } from './check-segments';
import { checkTimeZone, isTimeZone } from './check-time-zone';
import { closest } from './did-you-mean';
import { error, Finding, warning } from './finding';
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

/**
 * A window time written with another offset than the campaign's zone has then: `2026-11-01T00:00:00Z` in a
 * campaign on Asia/Shanghai starts at 08:00 there, silently. A warning (UTC may be meant) that says the local time
 * and how to write the same wall time on the campaign's clock: with the offset the zone has at that wall time
 * (not at the instant written, which may be across a daylight-saving change), or that it does not exist there.
 */
function checkWindowOffsets(campaign: CampaignDefinition): Finding[] {
  const zone = campaign.timezone;
  // A zone refused (or an abbreviation) is an error already; its clock is no guide.
  if (!isTimeZone(zone) || checkTimeZone(zone).length > 0) return [];
  return (['start', 'end'] as const).flatMap((key) => {
    const written = campaign.window[key];
    const match = /^(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d:\d\d(?:\.\d+)?)([Zz]|[+-]\d\d:?\d\d)$/.exec(written);
    const at = new Date(written);
    // Before 1970 the window is an error already (checkWindowRange).
    if (!match || Number.isNaN(at.getTime()) || at.getTime() < 0) return [];
    const [, date = '', time = '', offset = ''] = match;
    if (offsetSeconds(offset) === utcOffsetSeconds(at, zone)) return [];
    const local = localTime(at.toISOString(), zone);
    const wall = Date.parse(`${date}T${time}Z`);
    const zoneOffset = utcOffsetSeconds(new Date(wall - utcOffsetSeconds(new Date(wall), zone) * 1000), zone);
    const meant = new Date(wall - zoneOffset * 1000);
    const exists = localTime(meant.toISOString(), zone).slice(0, 19) === `${date}T${time.slice(0, 8)}`;
    const advice = exists
      ? `if ${time} there was meant, write ${date}T${time}${offsetLabel(zoneOffset)}`
      : `${time} on ${date} does not exist there (the clocks skip it)`;
    return [warning(['window', key], `${written} is ${local} on the campaign's clock (${zone}); ${advice}`)];
  });
}

/** `Z`, `-00:00`, `+0800` or `+08:00` in seconds east of UTC. */
function offsetSeconds(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const [, sign = '+', hours = '0', minutes = '0'] = /^([+-])(\d\d):?(\d\d)$/.exec(offset) ?? [];
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60);
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
    ...checkWindowOffsets(campaign),
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
