/** The public view of a campaign: what a client page shows. No segments, rules, testers or budget figures. */
import {
  availabilityFromUsage,
  spendableBudget,
  stockLeftOf,
  type Availability,
} from '../decision/availability';
import { businessDate } from '../decision/business-date';
import { affordable } from '../decision/charge';
import { checkLive } from '../decision/liveness';
import type { RewardDefinition } from '../definitions/campaign-types';
import type { CampaignUsage } from '../ledger/grant-store';
import type { CampaignSnapshot } from './campaign-snapshot';

export interface RewardView {
  id: string;
  type: string;
  name: string | null;
  value?: number;
  minSpend?: number;
  validDays?: number;
  amount?: { min: number; max: number };
  /**
   * Stock remains and the budget, total and today's, can still pay one (DESIGN.md "Unavailable rewards"); always
   * true for a consolation. The participation may still find it gone: this is a snapshot, at most a second old.
   */
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

/** What the view reads of the ledger's use of a campaign. */
export type ViewUsage = Pick<CampaignUsage, 'stockUsed' | 'spent' | 'dailySpent'>;

function rewardView(reward: RewardDefinition, left: Availability): RewardView {
  const base = { id: reward.id, type: reward.type, name: reward.name ?? null };
  if (reward.type === 'none') return { ...base, available: true };
  const available = stockLeftOf(left, reward.id) > 0 && affordable(reward, spendableBudget(left));
  if (reward.type === 'red_packet') return { ...base, amount: { ...reward.amount }, available };
  return {
    ...base,
    value: reward.value,
    ...(reward.minSpend === undefined ? {} : { minSpend: reward.minSpend }),
    ...(reward.validDays === undefined ? {} : { validDays: reward.validDays }),
    available,
  };
}

export function campaignView(snapshot: CampaignSnapshot, usage: ViewUsage, now: Date): CampaignView {
  const d = snapshot.definition;
  // A reward the budget can no longer pay is as gone as one out of stock: participations answer budget_exhausted.
  const left = availabilityFromUsage(d, {
    granted: usage.stockUsed,
    spent: Number(usage.spent),
    dailySpent: Number(usage.dailySpent[businessDate(now, d.timezone)] ?? 0n),
  });
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
    rewards: d.rewards.map((r) => rewardView(r, left)),
  };
}
