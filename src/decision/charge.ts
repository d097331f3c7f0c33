import type { RewardDefinition } from '../definitions/campaign-types';
import { randomInt, type Random } from './random';

/** What a grant gives the user (`amount`) and what it costs the budget (`charge`), in minor units. */
export interface Draw {
  amount: number;
  charge: number;
}

/**
 * The average charge of one grant (DESIGN.md Semantics): a red packet `(min + max) / 2`, a coupon or voucher
 * its `cost`, a consolation 0.
 */
export function expectedCharge(reward: RewardDefinition): number {
  switch (reward.type) {
    case 'red_packet':
      return (reward.amount.min + reward.amount.max) / 2;
    case 'coupon':
    case 'voucher':
      return reward.cost;
    case 'none':
      return 0;
  }
}

/** The largest charge one grant can make: a red packet's `max`, a coupon's or voucher's `cost`, 0 for a consolation. */
export function maxCharge(reward: RewardDefinition): number {
  switch (reward.type) {
    case 'red_packet':
      return reward.amount.max;
    case 'coupon':
    case 'voucher':
      return reward.cost;
    case 'none':
      return 0;
  }
}

/**
 * Whether the budget can pay for one grant. A red packet needs `min` (a larger draw is clamped),
 * a coupon or voucher its full `cost`; a consolation is always affordable.
 */
export function affordable(reward: RewardDefinition, budgetLeft: number): boolean {
  switch (reward.type) {
    case 'red_packet':
      return budgetLeft >= reward.amount.min;
    case 'coupon':
    case 'voucher':
      return budgetLeft >= reward.cost;
    case 'none':
      return true;
  }
}

/**
 * Whether what is left of a budget pays for no grant of any reward that costs money: a red packet needs its `min`,
 * a coupon or voucher its `cost`. Such a budget is used up although it is under 100% (a red packet's draw or a
 * coupon's cost rarely lands exactly on the limit): every participation is refused or gets the fallback.
 */
export function paysForNothing(rewards: readonly RewardDefinition[], left: number): boolean {
  const paid = rewards.filter((r) => r.type !== 'none');
  return paid.length > 0 && paid.every((r) => !affordable(r, left));
}

/**
 * One grant's amount and charge, or null when the budget cannot pay for it (DESIGN.md Semantics).
 * `budgetLeft` is min(total left, daily left), Infinity without a budget.
 * - red packet: a uniform integer in [min, max], charged as drawn; a draw above `budgetLeft` is clamped to
 *   `floor(budgetLeft)` when that is still ≥ min, otherwise null (checked before drawing).
 * - coupon / voucher: amount = face `value`, charge = `cost`; null when cost > budgetLeft.
 * - consolation: amount 0, charge 0, never null.
 */
export function drawAmount(reward: RewardDefinition, random: Random, budgetLeft: number): Draw | null {
  if (!affordable(reward, budgetLeft)) return null;
  switch (reward.type) {
    case 'red_packet': {
      const drawn = randomInt(random, reward.amount.min, reward.amount.max);
      const amount = Math.min(drawn, Math.floor(budgetLeft));
      return { amount, charge: amount };
    }
    case 'coupon':
    case 'voucher':
      return { amount: reward.value, charge: reward.cost };
    case 'none':
      return { amount: 0, charge: 0 };
  }
}
