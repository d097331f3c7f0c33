import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import { usageAlerts } from '../../../src/reconciliation/usage-alerts';

const definition = {
  id: 'c1',
  budget: { currency: 'CNY', total: 1000, daily: 400 },
  rewards: [
    { id: 'rp', type: 'red_packet', amount: { min: 1, max: 10 }, stock: 10 },
    { id: 'cp', type: 'coupon', value: 100, cost: 10 },
    { id: 'thanks', type: 'none' },
  ],
} as unknown as CampaignDefinition;

describe('usage alerts', () => {
  it('raises each budget threshold reached, keyed by the limit it crossed', () => {
    const alerts = usageAlerts(definition, {
      stockUsed: { rp: 3 },
      spent: 800n,
      dailySpent: { '2026-11-11': 199n, '2026-11-12': 400n },
      grants: 3,
    });
    expect(alerts.map((a) => [a.event, a.occurrence])).toEqual([
      ['budget.50pct', 'total/1000'],
      ['budget.80pct', 'total/1000'],
      ['budget.50pct', 'daily:2026-11-12/400'],
      ['budget.80pct', 'daily:2026-11-12/400'],
      ['budget.100pct', 'daily:2026-11-12/400'],
    ]);
    expect(alerts[1]?.details).toEqual({ scope: 'total', spent: 800, limit: 1000, threshold: 80 });
  });

  it('compares with a threshold exactly, however large the budget (no floating-point rounding)', () => {
    // 80% of 2^53 - 1 is 7,205,759,403,792,792.8: one minor unit below it is under 80%, where spent * 100 and
    // limit * 80 in floating point round to the same number.
    const limit = Number.MAX_SAFE_INTEGER;
    const huge = { ...definition, budget: { currency: 'CNY', total: limit } } as CampaignDefinition;
    const usage = (spent: bigint) => ({ stockUsed: {}, spent, dailySpent: {}, grants: 1 });
    const events = (spent: bigint) => usageAlerts(huge, usage(spent)).map((a) => a.event);
    expect(events(7_205_759_403_792_792n)).toEqual(['budget.50pct']);
    expect(events(7_205_759_403_792_793n)).toEqual(['budget.50pct', 'budget.80pct']);
  });

  it('raises budget.100pct once what is left pays for no reward, though it is under 100%', () => {
    const pricier = {
      ...definition,
      rewards: [
        { id: 'rp', type: 'red_packet', amount: { min: 50, max: 200 } },
        { id: 'cp', type: 'coupon', value: 1000, cost: 300 },
        { id: 'thanks', type: 'none' },
      ],
    } as unknown as CampaignDefinition;
    const usage = { stockUsed: {}, spent: 951n, dailySpent: { '2026-11-11': 351n }, grants: 9 };
    expect(usageAlerts(pricier, usage).map((a) => [a.event, a.occurrence, a.details])).toEqual([
      ['budget.50pct', 'total/1000', { scope: 'total', spent: 951, limit: 1000, threshold: 50 }],
      ['budget.80pct', 'total/1000', { scope: 'total', spent: 951, limit: 1000, threshold: 80 }],
      ['budget.100pct', 'total/1000', { scope: 'total', spent: 951, limit: 1000, threshold: 100, left: 49 }],
      [
        'budget.50pct',
        'daily:2026-11-11/400',
        { scope: 'daily:2026-11-11', spent: 351, limit: 400, threshold: 50 },
      ],
      [
        'budget.80pct',
        'daily:2026-11-11/400',
        { scope: 'daily:2026-11-11', spent: 351, limit: 400, threshold: 80 },
      ],
      [
        'budget.100pct',
        'daily:2026-11-11/400',
        { scope: 'daily:2026-11-11', spent: 351, limit: 400, threshold: 100, left: 49 },
      ],
    ]);
    // 50 left still pays for the smallest red packet; a coupon that costs nothing is always affordable.
    expect(usageAlerts(pricier, { ...usage, spent: 950n, dailySpent: {} }).map((a) => a.event)).toEqual([
      'budget.50pct',
      'budget.80pct',
    ]);
    const free = { ...pricier, rewards: [{ id: 'cp', type: 'coupon', value: 1000, cost: 0 }] };
    expect(usageAlerts(free as CampaignDefinition, { ...usage, spent: 999n, dailySpent: {} })).toHaveLength(
      2,
    );
  });

  it('raises stock.exhausted for a reward whose stock is used up, and nothing below the thresholds', () => {
    expect(
      usageAlerts(definition, { stockUsed: { rp: 10, cp: 1000 }, spent: 499n, dailySpent: {}, grants: 10 }),
    ).toEqual([
      {
        event: 'stock.exhausted',
        campaignId: 'c1',
        occurrence: 'reward:rp/10',
        details: { rewardId: 'rp', used: 10, stock: 10 },
      },
    ]);
  });
});
