/** The public view of a campaign: what a client page shows. No segments, rules, testers or budget figures. */
import { checkLive } from '../decision/liveness';
import type { RewardDefinition } from '../definitions/campaign-types';
import type { CampaignSnapshot } from './campaign-snapshot';

export interface RewardView {
  id: string;
  type: string;
  name: string | null;
  value?: number;
  minSpend?: number;
  validDays?: number;
  amount?: { min: number; max: number };
  /** Stock remains (always true for unlimited rewards and consolations). */
  available: boolean;
}

export interface CampaignView {
  id: string;
  name: string;
  version: number;
  status: string;
  /** live | not_started | ended | paused, now. */
  state: string;
  window: { start: string; end: string };
  timezone: string;
  channels: string[] | null;
  activityCode: string;
  /** ISO 4217 code of the rewards' money (minor units); null when the campaign has no budget. */
  currency: string | null;
  rewards: RewardView[];
}

function rewardView(reward: RewardDefinition, stockUsed: Readonly<Record<string, number>>): RewardView {
  const base = { id: reward.id, type: reward.type, name: reward.name ?? null };
  if (reward.type === 'none') return { ...base, available: true };
  const available = reward.stock === undefined || (stockUsed[reward.id] ?? 0) < reward.stock;
  if (reward.type === 'red_packet') return { ...base, amount: { ...reward.amount }, available };
  return {
    ...base,
    value: reward.value,
    ...(reward.minSpend === undefined ? {} : { minSpend: reward.minSpend }),
    ...(reward.validDays === undefined ? {} : { validDays: reward.validDays }),
    available,
  };
}

export function campaignView(
  snapshot: CampaignSnapshot,
  stockUsed: Readonly<Record<string, number>>,
  now: Date,
): CampaignView {
  const d = snapshot.definition;
  return {
    id: d.id,
    name: d.name,
    version: snapshot.version,
    status: d.status,
    state: checkLive(d, now, snapshot.paused),
    window: { ...d.window },
    timezone: d.timezone,
    channels: d.entry.channels ? [...d.entry.channels] : null,
    activityCode: d.entry.activityCode,
    currency: d.budget?.currency ?? null,
    rewards: d.rewards.map((r) => rewardView(r, stockUsed)),
  };
}
