import type { CampaignDefinition } from '../definitions/campaign-types';

/**
 * What is left when a decision is made, as the hot state (or a dry-run) sees it. Money in minor units.
 * Infinity means "no limit".
 */
export interface Availability {
  /** Stock left per reward id; absent or Infinity = unlimited. Consolations ignore it. */
  stockLeft: Readonly<Record<string, number>>;
  /** Total budget left; Infinity without `budget.total`. */
  budgetLeft: number;
  /** Budget left for the current business day; Infinity without `budget.daily`. */
  dailyBudgetLeft: number;
  /** Spent so far over the whole campaign (used by pacing). */
  spent: number;
  /** Spent so far in the current business day (used by pacing). */
  dailySpent: number;
}

/** What has been used so far: grants per reward id and money spent. */
export interface Usage {
  granted: Readonly<Record<string, number>>;
  spent: number;
  dailySpent: number;
}

/** Nothing limits the decision: testers, and dry-runs that ignore limits. */
export function unlimitedAvailability(): Availability {
  return { stockLeft: {}, budgetLeft: Infinity, dailyBudgetLeft: Infinity, spent: 0, dailySpent: 0 };
}

/** Availability from the campaign's stock and budget minus what `usage` has consumed. */
export function availabilityFromUsage(
  campaign: Pick<CampaignDefinition, 'rewards' | 'budget'>,
  usage: Usage,
): Availability {
  const stockLeft: Record<string, number> = {};
  for (const reward of campaign.rewards) {
    if (reward.type !== 'none' && reward.stock !== undefined) {
      stockLeft[reward.id] = reward.stock - (usage.granted[reward.id] ?? 0);
    }
  }
  const total = campaign.budget?.total;
  const daily = campaign.budget?.daily;
  return {
    stockLeft,
    budgetLeft: total === undefined ? Infinity : total - usage.spent,
    dailyBudgetLeft: daily === undefined ? Infinity : daily - usage.dailySpent,
    spent: usage.spent,
    dailySpent: usage.dailySpent,
  };
}

/** Stock left for a reward; Infinity when unlimited. */
export function stockLeftOf(availability: Availability, rewardId: string): number {
  return availability.stockLeft[rewardId] ?? Infinity;
}

/** The money one grant may charge: min(total left, daily left). */
export function spendableBudget(availability: Availability): number {
  return Math.min(availability.budgetLeft, availability.dailyBudgetLeft);
}

/** The availability after one grant of `rewardId` charging `charge` (a dry-run applies each decision so). */
export function applyGrant(availability: Availability, rewardId: string, charge: number): Availability {
  const stock = availability.stockLeft[rewardId];
  return {
    stockLeft:
      stock === undefined ? availability.stockLeft : { ...availability.stockLeft, [rewardId]: stock - 1 },
    budgetLeft: availability.budgetLeft - charge,
    dailyBudgetLeft: availability.dailyBudgetLeft - charge,
    spent: availability.spent + charge,
    dailySpent: availability.dailySpent + charge,
  };
}
