import type { CampaignDefinition } from '../definitions/campaign-types';
import type { Availability } from './availability';
import { businessDate as businessDateOf, businessDayBounds } from './business-date';
import { campaignWindow } from './campaign-window';
import { maxCharge } from './charge';

/** Cumulative spend allowed at a moment; Infinity where the campaign sets no such budget. */
export interface PacingAllowance {
  total: number;
  daily: number;
}

/** Share of the slack in the budget it belongs to. */
const SLACK_SHARE = 0.01;

/** How far `t` is through [from, to): 0 before, 1 at or after the end. */
export function elapsedFraction(t: number, from: number, to: number): number {
  if (to <= from) return t >= to ? 1 : 0;
  return Math.min(1, Math.max(0, (t - from) / (to - from)));
}

function allowed(budget: number | undefined, fraction: number, largestCharge: number): number {
  if (budget === undefined) return Infinity;
  return budget * fraction + Math.max(largestCharge, budget * SLACK_SHARE);
}

/**
 * Pacing for the efficiency strategy: the spend allowed so far at `now`.
 *
 *   allowedTotal(t) = budget.total × elapsed(t, window.start, window.end)  + max(M, 1% of budget.total)
 *   allowedDaily(t) = budget.daily × elapsed(t, dayStart, dayEnd)          + max(M, 1% of budget.daily)
 *
 * where elapsed is the fraction of the interval gone by (clamped to [0, 1]), M is the largest maxCharge of any
 * reward of the campaign, and [dayStart, dayEnd) is the business day of `now` (campaign timezone) cut to the
 * window, so a window opening at 10:00 does not start with ten hours of daily budget already "due".
 *
 * A linear line is the burn-rate rule of DESIGN.md: spending at the average rate so far exhausts the budget
 * before the window ends exactly when spent > budget × elapsed. Underspend carries forward (the line is
 * cumulative), so quiet hours leave room for a later peak. The slack lets the first grants of a window or a
 * day through, and is at least one grant of the dearest reward so that pacing alone never blocks every reward.
 */
export function pacingAllowance(
  campaign: Pick<CampaignDefinition, 'window' | 'timezone' | 'budget' | 'rewards'>,
  now: Date,
  businessDate?: string,
): PacingAllowance {
  const { total, daily } = campaign.budget ?? {};
  if (total === undefined && daily === undefined) return { total: Infinity, daily: Infinity };
  const t = now.getTime();
  const largest = Math.max(0, ...campaign.rewards.map(maxCharge));
  const window = campaignWindow(campaign);
  let dailyAllowed = Infinity;
  if (daily !== undefined) {
    const day = businessDayBounds(businessDate ?? businessDateOf(now, campaign.timezone), campaign.timezone);
    const from = Math.max(day.start.getTime(), window.start);
    const to = Math.min(day.end.getTime(), window.end);
    dailyAllowed = allowed(daily, elapsedFraction(t, from, to), largest);
  }
  return {
    total: allowed(total, elapsedFraction(t, window.start, window.end), largest),
    daily: dailyAllowed,
  };
}

/**
 * Whether granting a reward of this expected charge now would run ahead of the pacing line:
 * spent + charge > allowedTotal, or dailySpent + charge > allowedDaily. Rewards that charge nothing
 * (consolations) are never paced.
 */
export function isPaced(charge: number, availability: Availability, allowance: PacingAllowance): boolean {
  if (charge <= 0) return false;
  return availability.spent + charge > allowance.total || availability.dailySpent + charge > allowance.daily;
}
