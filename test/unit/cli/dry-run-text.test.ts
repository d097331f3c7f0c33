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
    testers: 0,
    unreached: [],
    spend,
    spendByDay: {},
    budget: { currency: 'CNY', total: 5_000_000, daily: 1_000_000, remaining: 5_000_000 - spend, peakDaily },
    stockouts: {},
    durationMs: 0,
  };
}

const campaign = {
  timezone: 'Asia/Shanghai',
  window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' },
  status: 'active' as const,
};

describe('dry-run text output', () => {
  it('never shows a budget 100.0% spent while some of it remains, as the report does', () => {
    const lines = textReport(report(4_999_800, 999_990), campaign).slice(-2);
    expect(lines).toEqual([
      'projected spend: 49,998.00 CNY of total budget 50,000.00 CNY (99.9%)',
      'peak daily spend: 9,999.90 CNY of daily budget 10,000.00 CNY (99.9%)',
    ]);
    expect(textReport(report(5_000_000, 1_000_000), campaign).slice(-1)).toEqual([
      'peak daily spend: 10,000.00 CNY of daily budget 10,000.00 CNY (100.0%)',
    ]);
  });

  it('says why when every user is ended or not_started, instead of leaving the segments unreached unexplained', () => {
    const closed = (outcome: string, status: 'active' | 'draft' | 'ended' = 'active'): string[] =>
      textReport(
        { ...report(0, 0), users: 3, at: '2030-01-01T00:00:00.000Z', outcomes: { [outcome]: 3 } },
        { ...campaign, status },
      ).slice(0, 2);
    expect(closed('ended')).toEqual([
      'dry-run c: 3 users at 2030-01-01T08:00:00+08:00 (0 ms)',
      'note: every user answers ended, so no segment is reached: --at is outside the window (2026-11-11T00:00:00+08:00 to 2026-11-12T00:00:00+08:00)',
    ]);
    expect(closed('not_started')[1]).toBe(
      'note: every user answers not_started, so no segment is reached: --at is outside the window (2026-11-11T00:00:00+08:00 to 2026-11-12T00:00:00+08:00)',
    );
    expect(closed('ended', 'ended')[1]).toBe(
      'note: every user answers ended, so no segment is reached: the campaign has status ended',
    );
    expect(closed('not_started', 'draft')[1]).toBe(
      'note: every user answers not_started, so no segment is reached: the campaign has status draft',
    );
    const mixed = textReport({ ...report(0, 0), users: 3, outcomes: { ended: 2, granted: 1 } }, campaign);
    expect(mixed[1]).toBe('');
  });
});
