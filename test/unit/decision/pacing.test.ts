import { elapsedFraction, isPaced, pacingAllowance } from '../../../src/decision/pacing';
import { at, availabilityWith, campaignWith, coupon, redPacket } from './decision-fixtures';

// Ten days from 2026-11-20T00:00+08:00; rewards charge at most 300 (the coupon).
const campaign = campaignWith({ budget: { currency: 'CNY', total: 1_000_000, daily: 200_000 } });

describe('elapsedFraction', () => {
  it('is 0 before, linear inside and 1 at or after the interval', () => {
    expect(elapsedFraction(5, 10, 20)).toBe(0);
    expect(elapsedFraction(15, 10, 20)).toBe(0.5);
    expect(elapsedFraction(20, 10, 20)).toBe(1);
    expect(elapsedFraction(99, 10, 20)).toBe(1);
  });

  it('handles an empty interval as a step at its end', () => {
    expect(elapsedFraction(9, 10, 10)).toBe(0);
    expect(elapsedFraction(10, 10, 10)).toBe(1);
  });
});

describe('pacingAllowance (DESIGN.md Semantics: efficiency paces spend over the window)', () => {
  it('allows only the slack at the start: 1% of each budget, when that exceeds the dearest reward', () => {
    expect(pacingAllowance(campaign, at('2026-11-20T00:00:00+08:00'))).toEqual({
      total: 10_000,
      daily: 2_000,
    });
  });

  it('grows linearly with the window and with the business day', () => {
    // 5 days 4 hours into 10 days; 4 hours into the Shanghai day.
    const a = pacingAllowance(campaign, at('2026-11-25T04:00:00+08:00'));
    expect(a.total).toBeCloseTo((1_000_000 * 124) / 240 + 10_000, 6);
    expect(a.daily).toBeCloseTo((200_000 * 4) / 24 + 2_000, 6);
  });

  it('allows the whole budget plus slack at the end of the window and of the day', () => {
    const a = pacingAllowance(campaign, at('2026-11-29T23:59:59.999+08:00'));
    expect(a.total).toBeCloseTo(1_010_000, 0);
    expect(a.daily).toBeCloseTo(202_000, 0);
  });

  it('uses the dearest reward as slack when it is above 1% of the budget', () => {
    const small = campaignWith({
      rewards: [redPacket('rp', 50, 200), coupon('c', 900)],
      budget: { currency: 'CNY', total: 10_000, daily: 5_000 },
    });
    expect(pacingAllowance(small, at('2026-11-20T00:00:00+08:00'))).toEqual({ total: 900, daily: 900 });
  });

  it('paces the first day over the part of it inside the window (window opening at 10:00)', () => {
    const late = campaignWith({
      window: { start: '2026-11-20T10:00:00+08:00', end: '2026-11-30T00:00:00+08:00' },
      budget: { currency: 'CNY', daily: 140_000 },
    });
    const a = pacingAllowance(late, at('2026-11-20T11:00:00+08:00'));
    expect(a.daily).toBeCloseTo(140_000 / 14 + 1_400, 6);
    expect(a.total).toBe(Infinity);
  });

  it('paces the last day over the part of it inside the window (window closing at 12:00)', () => {
    const early = campaignWith({
      window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-30T12:00:00+08:00' },
      budget: { currency: 'CNY', daily: 100_000 },
    });
    expect(pacingAllowance(early, at('2026-11-30T06:00:00+08:00')).daily).toBeCloseTo(50_000 + 1_000, 6);
  });

  it('paces a 23-hour DST day over its real length (America/New_York, 2026-03-08)', () => {
    const ny = campaignWith({
      timezone: 'America/New_York',
      window: { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' },
      budget: { currency: 'USD', daily: 100_000 },
    });
    // The day runs 05:00Z .. next 04:00Z; 16:30Z is half of its 23 hours.
    expect(pacingAllowance(ny, at('2026-03-08T16:30:00Z')).daily).toBeCloseTo(50_000 + 1_000, 6);
  });

  it('uses the business date it is given (the one keying the daily counters)', () => {
    const a = pacingAllowance(campaign, at('2026-11-20T12:00:00+08:00'), '2026-11-21');
    expect(a.daily).toBe(2_000);
  });

  it('does not pace a campaign without a budget', () => {
    expect(pacingAllowance(campaignWith(), at('2026-11-20T00:00:00+08:00'))).toEqual({
      total: Infinity,
      daily: Infinity,
    });
  });
});

describe('isPaced', () => {
  const allowance = { total: 10_000, daily: 2_000 };

  it('skips a reward whose expected charge would take spend past the total line', () => {
    expect(isPaced(300, availabilityWith({ spent: 9_700 }), allowance)).toBe(false);
    expect(isPaced(300, availabilityWith({ spent: 9_701 }), allowance)).toBe(true);
  });

  it('skips a reward whose expected charge would take spend past the daily line', () => {
    expect(isPaced(300, availabilityWith({ spent: 0, dailySpent: 1_700 }), allowance)).toBe(false);
    expect(isPaced(300, availabilityWith({ spent: 0, dailySpent: 1_701 }), allowance)).toBe(true);
  });

  it('never skips a reward that charges nothing, even far ahead of the line', () => {
    expect(isPaced(0, availabilityWith({ spent: 50_000, dailySpent: 50_000 }), allowance)).toBe(false);
  });
});
