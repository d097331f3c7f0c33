import type { CampaignDefinition } from './campaign-types';
import { error, warning, type Finding } from './finding';

/**
 * The first instant a window may name. Before the Unix epoch, business dates stop being plain calendar days
 * (years below 100 are not even representable by Date.UTC), and no campaign runs then.
 */
const EARLIEST_WINDOW = Date.UTC(1970, 0, 1);

/** A window edge before 1970 is a typo (0001-01-01, 1926 for 2026), refused where it is written. */
export function checkWindowRange(window: CampaignDefinition['window']): Finding[] {
  return (['start', 'end'] as const).flatMap((edge) => {
    const at = Date.parse(window[edge]);
    return at < EARLIEST_WINDOW
      ? [error(['window', edge], `must be in 1970 or later (got ${window[edge]})`)]
      : [];
  });
}

/** `channels: []` would refuse every request as channel_not_allowed: leaving the list out is how to allow all. */
export function checkChannels(entry: CampaignDefinition['entry']): Finding[] {
  if (entry.channels === undefined || entry.channels.length > 0) return [];
  return [
    error(
      ['entry', 'channels'],
      'lists no channel, so nobody could join: list the channels (app, h5, …) or leave channels out to allow every one',
    ),
  ];
}

/**
 * A daily cap above the total one never binds: the total runs out first. Legal, but usually a slip (a digit too
 * many, or daily and total swapped), so it is a warning on the daily cap.
 */
export function checkDailyCaps(campaign: CampaignDefinition): Finding[] {
  const caps = [
    { path: ['budget', 'daily'], daily: campaign.budget?.daily, total: campaign.budget?.total },
    {
      path: ['limits', 'perUser', 'daily'],
      daily: campaign.limits?.perUser?.daily,
      total: campaign.limits?.perUser?.total,
    },
  ];
  return caps.flatMap(({ path, daily, total }) =>
    daily !== undefined && total !== undefined && daily > total
      ? [
          warning(
            path,
            `daily (${daily}) is above total (${total}), so it never applies: lower it or raise total`,
          ),
        ]
      : [],
  );
}
