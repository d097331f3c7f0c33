/**
 * The public view's `available`: stock left and a budget, total and today's, that can still pay one grant
 * (DESIGN.md Semantics, "Unavailable rewards": a reward whose stock or budget is gone is unavailable). It showed
 * stock alone, so a client page offered rewards every participation answered budget_exhausted.
 */
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';
import { campaignView, type ViewUsage } from '../../../src/publishing/campaign-view';
import { campaignWith, coupon, redPacket } from '../decision/decision-fixtures';

// 01:00 on 2026-11-21 in Asia/Shanghai, the campaign's zone, while still 2026-11-20 in UTC: the business date
// is the campaign's, 2026-11-21.
const NOW = new Date('2026-11-20T17:00:00Z');

function availableIn(
  budget: { total?: number; daily?: number },
  usage: Partial<ViewUsage>,
): Record<string, boolean> {
  const definition = campaignWith({
    rewards: [redPacket('rp', 50, 200, 10), coupon('c', 300), { id: 'thanks', type: 'none' }],
    budget: { currency: 'CNY', ...budget },
  });
  const snapshot = { campaignId: definition.id, version: 1, definition, paused: false } as CampaignSnapshot;
  const view = campaignView(snapshot, { stockUsed: {}, spent: 0n, dailySpent: {}, ...usage }, NOW);
  return Object.fromEntries(view.rewards.map((r) => [r.id, r.available]));
}

describe('campaignView: available', () => {
  it('is true while stock remains and the budget pays one grant', () => {
    expect(
      availableIn({ total: 10_000, daily: 1_000 }, { spent: 700n, dailySpent: { '2026-11-21': 700n } }),
    ).toEqual({
      rp: true,
      c: true,
      thanks: true,
    });
  });

  it('is false once the stock is used up, whatever the budget', () => {
    expect(availableIn({ total: 10_000 }, { stockUsed: { rp: 10 } })).toMatchObject({ rp: false, c: true });
  });

  it('is false for what the total budget left cannot pay: a coupon its cost, a red packet its least amount', () => {
    // 140 left: below the coupon's 300; a red packet of 50..200 is clamped to what is left, so it still goes.
    expect(availableIn({ total: 2_000 }, { spent: 1_860n })).toEqual({ rp: true, c: false, thanks: true });
    // 40 left: below the red packet's least amount too. A consolation costs nothing.
    expect(availableIn({ total: 2_000 }, { spent: 1_960n })).toEqual({ rp: false, c: false, thanks: true });
  });

  it("is false for what today's budget left cannot pay, and true again on a new business day", () => {
    const usage = { spent: 990n, dailySpent: { '2026-11-21': 990n } };
    expect(availableIn({ total: 100_000, daily: 1_000 }, usage)).toEqual({
      rp: false,
      c: false,
      thanks: true,
    });
    const yesterday = { spent: 990n, dailySpent: { '2026-11-20': 990n } };
    expect(availableIn({ total: 100_000, daily: 1_000 }, yesterday)).toEqual({
      rp: true,
      c: true,
      thanks: true,
    });
  });

  it('is true without a budget', () => {
    expect(availableIn({}, { spent: 10_000_000n })).toEqual({ rp: true, c: true, thanks: true });
  });
});
