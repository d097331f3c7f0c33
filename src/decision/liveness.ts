import type { CampaignDefinition } from '../definitions/campaign-types';
import { campaignWindow } from './campaign-window';

export type Liveness = 'live' | 'not_started' | 'ended' | 'paused';

/**
 * Whether a campaign takes participations at `now`. The first rule that applies wins:
 * 1. status `ended`, or now ≥ window.end (the end is exclusive)   → `ended`
 * 2. status `draft`, or now < window.start (the start is inclusive) → `not_started`
 * 3. the runtime pause overlay is on                               → `paused`
 * 4. otherwise                                                     → `live`
 * `ended` and `not_started` come before `paused` because they are facts about the campaign that a resume
 * would not change: a paused campaign whose window is over has ended.
 */
export function checkLive(
  campaign: Pick<CampaignDefinition, 'status' | 'window'>,
  now: Date,
  paused: boolean,
): Liveness {
  const t = now.getTime();
  if (Number.isNaN(t)) throw new RangeError('checkLive: invalid Date');
  const { start, end } = campaignWindow(campaign);
  if (campaign.status === 'ended' || t >= end) return 'ended';
  if (campaign.status === 'draft' || t < start) return 'not_started';
  return paused ? 'paused' : 'live';
}

/**
 * `checkLive` for one participant, as the pipeline decides it: a tester may try a campaign that has not started
 * (QA before launch, a `draft` included), never one that has ended, and not while it is paused.
 */
export function checkLiveFor(
  campaign: Pick<CampaignDefinition, 'status' | 'window'>,
  now: Date,
  paused: boolean,
  tester: boolean,
): Liveness {
  const live = checkLive(campaign, now, paused);
  if (live !== 'not_started' || !tester) return live;
  return paused ? 'paused' : 'live';
}

/**
 * Whether a request from `channel` may join. Without `entry.channels` every channel (or none) may.
 * With a list, the channel must be in it, compared exactly: a request that names no channel is refused,
 * and an empty list refuses everyone.
 */
export function checkChannel(
  campaign: Pick<CampaignDefinition, 'entry'>,
  channel: string | undefined,
): boolean {
  const allowed = campaign.entry.channels;
  if (allowed === undefined) return true;
  return channel !== undefined && allowed.includes(channel);
}
