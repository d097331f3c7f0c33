import {
  applyGrant,
  availabilityFromUsage,
  spendableBudget,
  stockLeftOf,
  unlimitedAvailability,
} from '../../../src/decision/availability';
import { availabilityWith, campaignWith, coupon, redPacket } from './decision-fixtures';

describe('availability', () => {
  const campaign = campaignWith({
    rewards: [redPacket('rp', 50, 200, 100), coupon('c', 300), { id: 'thanks', type: 'none' }],
    budget: { currency: 'CNY', total: 10_000, daily: 2_000 },
  });

  it('derives stock and budget left from the definition and the usage', () => {
    const a = availabilityFromUsage(campaign, {
      granted: { rp: 30, thanks: 5 },
      spent: 4_000,
      dailySpent: 1_500,
    });
    expect(a).toEqual({
      stockLeft: { rp: 70 },
      budgetLeft: 6_000,
      dailyBudgetLeft: 500,
      spent: 4_000,
      dailySpent: 1_500,
    });
    expect(stockLeftOf(a, 'rp')).toBe(70);
    expect(stockLeftOf(a, 'c')).toBe(Infinity);
  });

  it('treats a missing budget, total or daily, as unlimited', () => {
    const noDaily = campaignWith({ budget: { currency: 'CNY', total: 500 } });
    expect(availabilityFromUsage(noDaily, { granted: {}, spent: 100, dailySpent: 100 })).toMatchObject({
      budgetLeft: 400,
      dailyBudgetLeft: Infinity,
    });
    const none = availabilityFromUsage(campaignWith(), { granted: {}, spent: 0, dailySpent: 0 });
    expect(spendableBudget(none)).toBe(Infinity);
  });

  it('can spend the lower of total left and daily left', () => {
    expect(spendableBudget(availabilityWith({ budgetLeft: 6_000, dailyBudgetLeft: 500 }))).toBe(500);
    expect(spendableBudget(availabilityWith({ budgetLeft: 300, dailyBudgetLeft: 500 }))).toBe(300);
  });

  it('applies a grant: one stock, and the charge on both budgets and both spends', () => {
    const before = availabilityWith({ stockLeft: { rp: 2 }, budgetLeft: 1_000, dailyBudgetLeft: 400 });
    const after = applyGrant(before, 'rp', 120);
    expect(after).toEqual({
      stockLeft: { rp: 1 },
      budgetLeft: 880,
      dailyBudgetLeft: 280,
      spent: 120,
      dailySpent: 120,
    });
    expect(before.stockLeft).toEqual({ rp: 2 });
    expect(applyGrant(before, 'c', 300).stockLeft).toBe(before.stockLeft);
  });

  it('starts unlimited for testers and limit-free dry-runs', () => {
    const u = unlimitedAvailability();
    expect([stockLeftOf(u, 'rp'), spendableBudget(u), u.spent, u.dailySpent]).toEqual([
      Infinity,
      Infinity,
      0,
      0,
    ]);
  });
});
