/** `pocket dry-run`'s text output: the projected spend against the budgets. */
import { textReport } from '../../../cli/dry-run';
import type { DryRunReport } from '../../../src/simulation/dry-run';

function report(spend: number, peakDaily: number): DryRunReport {
  return {
    campaign: 'c',
    at: null,
    users: 0,
    outcomes: {},
    segments: {},
    rewards: {},
    unmatched: 0,
    unreached: [],
    spend,
    spendByDay: {},
    budget: { currency: 'CNY', total: 5_000_000, daily: 1_000_000, remaining: 5_000_000 - spend, peakDaily },
    stockouts: {},
    durationMs: 0,
  };
}

describe('dry-run text output', () => {
  it('never shows a budget 100.0% spent while some of it remains, as the report does', () => {
    const lines = textReport(report(4_999_800, 999_990), 'Asia/Shanghai').slice(-2);
    expect(lines).toEqual([
      'projected spend: 49,998.00 CNY of total budget 50,000.00 CNY (99.9%)',
      'peak daily spend: 9,999.90 CNY of daily budget 10,000.00 CNY (99.9%)',
    ]);
    expect(textReport(report(5_000_000, 1_000_000), 'Asia/Shanghai').slice(-1)).toEqual([
      'peak daily spend: 10,000.00 CNY of daily budget 10,000.00 CNY (100.0%)',
    ]);
  });
});
