import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import type { CampaignUsage } from '../../../src/ledger/grant-store';
import { checkActivation } from '../../../src/publishing/activation-checks';
import { campaignWith, coupon, redPacket } from '../decision/decision-fixtures';

const TODAY = '2026-11-21';
/** Within the fixtures' window (2026-11-20 … 2026-11-30, Shanghai). */
const NOW = new Date('2026-11-21T04:00:00Z');

function usage(over: Partial<CampaignUsage> = {}): CampaignUsage {
  return { stockUsed: {}, spent: 0n, dailySpent: {}, grants: 0, ...over };
}

const base = campaignWith({
  rewards: [redPacket('rp', 50, 200, 100), coupon('c', 300, 900, 50), { id: 'thanks', type: 'none' }],
  budget: { currency: 'CNY', total: 100000, daily: 20000 },
});

function next(over: Partial<CampaignDefinition>): CampaignDefinition {
  return { ...base, ...over };
}

const used = usage({
  stockUsed: { rp: 40, c: 10, thanks: 5 },
  spent: 9000n,
  dailySpent: { [TODAY]: 7000n, '2026-11-20': 2000n },
  grants: 55,
});

const codes = (issues: Array<{ code: string }>): string[] => issues.map((i) => i.code);

describe('checkActivation', () => {
  it('accepts a first publish whatever it says', () => {
    expect(
      checkActivation({ current: null, next: base, usage: usage(), today: TODAY, now: NOW }, false),
    ).toEqual({
      refusals: [],
      warnings: [],
    });
  });

  it('refuses to turn a served campaign with grants into a draft unless forced; ended, or no grants, is fine', () => {
    const active = next({ status: 'active' });
    const draft = next({ status: 'draft' });
    const refused = checkActivation(
      { current: active, next: draft, usage: used, today: TODAY, now: NOW },
      false,
    );
    expect(refused.refusals).toEqual([
      {
        code: 'served_to_draft',
        path: 'status',
        message:
          'status: active → draft takes a campaign that has 55 grants off the public list, and every participation in it is answered not_started; pocket pause stops it for now, status: ended closes it',
        forceable: true,
      },
    ]);
    const forced = checkActivation(
      { current: active, next: draft, usage: used, today: TODAY, now: NOW },
      true,
    );
    expect([forced.refusals, codes(forced.warnings)]).toEqual([[], ['served_to_draft']]);
    const fine = [
      { current: active, next: next({ status: 'ended' }), usage: used },
      { current: active, next: draft, usage: usage() },
      { current: next({ status: 'ended' }), next: draft, usage: used },
      { current: draft, next: draft, usage: used },
    ];
    for (const input of fine)
      expect(checkActivation({ ...input, today: TODAY, now: NOW }, false).refusals).toEqual([]);
  });

  // A year slipped in the window (2025 for 2026) answered every participation `ended`, with no word at publish.
  it('refuses a window that no longer holds the present for a live campaign with grants, unless forced', () => {
    const lastYear = next({
      window: { start: '2025-11-20T00:00:00+08:00', end: '2025-11-30T00:00:00+08:00' },
    });
    const input = { current: base, next: lastYear, usage: used, today: TODAY, now: NOW };
    expect(checkActivation(input, false).refusals).toEqual([
      {
        code: 'window_excludes_now',
        path: 'window.end',
        message:
          "window: the campaign's window holds now (2026-11-21T12:00:00+08:00) and it has 55 grants, but the version to activate ends at 2025-11-30T00:00:00+08:00: every participation would be answered ended; pocket pause stops it for now, status: ended closes it",
        forceable: true,
      },
    ]);
    const later = next({ window: { start: '2026-11-25T00:00:00+08:00', end: '2026-11-30T00:00:00+08:00' } });
    expect(checkActivation({ ...input, next: later }, false).refusals).toEqual([
      expect.objectContaining({
        code: 'window_excludes_now',
        path: 'window.start',
        message: expect.stringContaining('the version to activate starts at 2026-11-25T00:00:00+08:00'),
      }),
    ]);
    const forced = checkActivation(input, true);
    expect([forced.refusals, codes(forced.warnings)]).toEqual([[], ['window_excludes_now']]);
    // Nothing to protect: no grants yet, a campaign not live now (before its start), a window that still holds
    // now, or `status: ended`, which says what it means.
    const fine = [
      { ...input, usage: usage() },
      { ...input, now: new Date('2026-11-19T00:00:00Z') },
      { ...input, next: next({ window: { ...base.window, end: '2026-11-22T00:00:00+08:00' } }) },
      { ...input, next: { ...lastYear, status: 'ended' as const } },
    ];
    for (const f of fine) expect(checkActivation(f, false).refusals).toEqual([]);
  });

  it('refuses a timezone change once the campaign has grants, even with --force', () => {
    const input = { current: base, next: next({ timezone: 'UTC' }), usage: used, today: TODAY, now: NOW };
    for (const force of [false, true]) {
      const { refusals } = checkActivation(input, force);
      expect(refusals).toEqual([
        {
          code: 'timezone_changed',
          path: 'timezone',
          forceable: false,
          message: expect.stringMatching(/^timezone: Asia\/Shanghai → UTC is refused: .*55 grants/),
        },
      ]);
    }
    expect(checkActivation({ ...input, usage: usage() }, false).refusals).toEqual([]);
  });

  it('lets a zone be renamed to a name of the same zone (CST, which validate now refuses, to America/Chicago)', () => {
    const renamed = (from: string, to: string) =>
      checkActivation(
        {
          current: next({ timezone: from }),
          next: next({ timezone: to }),
          usage: used,
          today: TODAY,
          now: NOW,
        },
        false,
      ).refusals;
    expect(renamed('CST', 'America/Chicago')).toEqual([]);
    expect(renamed('Asia/Calcutta', 'Asia/Kolkata')).toEqual([]);
    expect(codes(renamed('CST', 'America/New_York'))).toEqual(['timezone_changed']);
  });

  it('refuses a budget currency change once the campaign has grants, even with --force', () => {
    const usd = next({ budget: { currency: 'USD', total: 100000, daily: 20000 } });
    const input = { current: base, next: usd, usage: used, today: TODAY, now: NOW };
    for (const force of [false, true]) {
      expect(checkActivation(input, force).refusals).toEqual([
        {
          code: 'currency_changed',
          path: 'budget.currency',
          forceable: false,
          message: expect.stringMatching(/^budget\.currency: CNY → USD is refused: .*55 grants/),
        },
      ]);
    }
    // Before the first grant, and when the budget comes without one before, nothing to protect.
    expect(checkActivation({ ...input, usage: usage() }, false).refusals).toEqual([]);
    const { budget: _budget, ...unbudgeted } = base;
    expect(checkActivation({ ...input, current: unbudgeted }, false).refusals).toEqual([]);
    // Unless the grants were made in another currency (CNY, then a version without a budget, then USD).
    const throughNone = { ...input, current: unbudgeted, usage: { ...used, currencies: ['CNY'] } };
    expect(checkActivation(throughNone, true).refusals).toEqual([
      expect.objectContaining({
        code: 'currency_changed',
        message: expect.stringMatching(/^budget\.currency: CNY → USD/),
      }),
    ]);
    expect(checkActivation({ ...throughNone, next: base }, false).refusals).toEqual([]);
  });

  it('keeps the currency of a campaign whose every grant was voided: they are still its grants', () => {
    const usd = next({ budget: { currency: 'USD', total: 100000, daily: 20000 } });
    const allVoided = usage({ currencies: ['CNY'] });
    expect(
      checkActivation({ current: base, next: usd, usage: allVoided, today: TODAY, now: NOW }, true).refusals,
    ).toEqual([
      expect.objectContaining({
        code: 'currency_changed',
        message: expect.stringMatching(
          /^budget\.currency: CNY → USD is refused: .* voided grants whose amounts/,
        ),
      }),
    ]);
    const { budget: _budget, ...unbudgeted } = base;
    expect(
      codes(
        checkActivation({ current: base, next: unbudgeted, usage: allVoided, today: TODAY, now: NOW }, true)
          .refusals,
      ),
    ).toEqual(['currency_changed']);
  });

  it('refuses dropping the budget once the campaign has grants in its currency, even with --force', () => {
    const { budget: _budget, ...unbudgeted } = base;
    const input = { current: base, next: unbudgeted, usage: used, today: TODAY, now: NOW };
    for (const force of [false, true]) {
      expect(checkActivation(input, force).refusals).toEqual([
        {
          code: 'currency_changed',
          path: 'budget',
          forceable: false,
          message: expect.stringMatching(
            /^budget: CNY → none is refused: .*55 grants in CNY.*keep budget: \{ currency: CNY \}$/,
          ),
        },
      ]);
    }
    // The grants' currency counts when the active version has none either (published before this check).
    const legacy = { ...input, current: unbudgeted, usage: { ...used, currencies: ['CNY'] } };
    expect(codes(checkActivation(legacy, false).refusals)).toEqual(['currency_changed']);
    // A currency alone lifts the limits and keeps it; before the first grant, or with nothing but
    // consolations left to give, there is no currency to keep.
    const limitless = next({ budget: { currency: 'CNY' } });
    expect(checkActivation({ ...input, next: limitless }, false).refusals).toEqual([]);
    expect(checkActivation({ ...input, usage: usage() }, false).refusals).toEqual([]);
    const thanksOnly = { ...unbudgeted, rewards: [{ id: 'thanks', type: 'none' as const }] };
    expect(checkActivation({ ...input, next: thanksOnly }, false).refusals).toEqual([]);
  });

  it('refuses a stock cut below what is granted unless forced; equal or above is fine', () => {
    const cut = next({
      rewards: [redPacket('rp', 50, 200, 39), coupon('c', 300, 900, 10), { id: 'thanks', type: 'none' }],
    });
    const refused = checkActivation({ current: base, next: cut, usage: used, today: TODAY, now: NOW }, false);
    expect(refused.refusals).toEqual([
      {
        code: 'stock_below_used',
        path: 'rewards[0].stock',
        forceable: true,
        message: 'rewards[0].stock (rp): 100 → 39 is below the 40 already granted',
      },
    ]);
    const forced = checkActivation({ current: base, next: cut, usage: used, today: TODAY, now: NOW }, true);
    expect(forced.refusals).toEqual([]);
    expect(codes(forced.warnings)).toEqual(['stock_below_used']);
  });

  it('refuses limiting an unlimited reward below its grants, but not repeating an accepted cut', () => {
    const unlimited = next({ rewards: [redPacket('rp', 50, 200), { id: 'thanks', type: 'none' }] });
    const limited = next({ rewards: [redPacket('rp', 50, 200, 1), { id: 'thanks', type: 'none' }] });
    expect(
      checkActivation({ current: unlimited, next: limited, usage: used, today: TODAY, now: NOW }, false)
        .refusals[0]?.message,
    ).toBe('rewards[0].stock (rp): unlimited → 1 is below the 40 already granted');
    const renamed = { ...limited, name: 'renamed' };
    expect(
      checkActivation({ current: limited, next: renamed, usage: used, today: TODAY, now: NOW }, false)
        .refusals,
    ).toEqual([]);
  });

  it('refuses total and daily budget cuts below what is spent (daily: today only) unless forced', () => {
    const cut = next({ budget: { currency: 'CNY', total: 8999, daily: 6999 } });
    const refused = checkActivation({ current: base, next: cut, usage: used, today: TODAY, now: NOW }, false);
    expect(refused.refusals.map((r) => r.message)).toEqual([
      // The YAML's minor units, then major units for a person (finance) to read.
      'budget.total: 100000 → 8999 is below the 9000 already spent (1,000.00 → 89.99 CNY; 90.00 CNY spent)',
      'budget.daily: 20000 → 6999 is below the 7000 already spent today, 2026-11-21 (200.00 → 69.99 CNY; 70.00 CNY spent)',
    ]);
    // A currency without minor digits, and a budget that had no total before.
    const yen = (budget: { total?: number; daily?: number }) =>
      next({ budget: { currency: 'JPY', ...budget } });
    expect(
      checkActivation(
        { current: yen({}), next: yen({ total: 8999 }), usage: used, today: TODAY, now: NOW },
        false,
      ).refusals[0]?.message,
    ).toBe(
      'budget.total: unlimited → 8999 is below the 9000 already spent (unlimited → 8,999 JPY; 9,000 JPY spent)',
    );
    expect(
      checkActivation({ current: base, next: cut, usage: used, today: TODAY, now: NOW }, true).refusals,
    ).toEqual([]);
    const yesterdayOnly = checkActivation(
      { current: base, next: cut, usage: used, today: '2026-11-22', now: NOW },
      false,
    );
    expect(codes(yesterdayOnly.refusals)).toEqual(['budget_total_below_spent']);
    const atSpent = next({ budget: { currency: 'CNY', total: 9000, daily: 7000 } });
    expect(
      checkActivation({ current: base, next: atSpent, usage: used, today: TODAY, now: NOW }, false),
    ).toEqual({
      refusals: [],
      warnings: [],
    });
  });

  it('warns (never refuses) when a reward with grants is removed', () => {
    const removed = next({
      rewards: [redPacket('rp', 50, 200, 100), { id: 'thanks', type: 'none' }],
      segments: [{ id: 'everyone', rewards: [{ reward: 'rp', weight: 1 }] }],
    });
    const check = checkActivation(
      { current: base, next: removed, usage: used, today: TODAY, now: NOW },
      false,
    );
    expect(check.refusals).toEqual([]);
    expect(check.warnings).toEqual([
      expect.objectContaining({ code: 'reward_removed', path: 'rewards[1]', forceable: false }),
    ]);
    expect(check.warnings[0]?.message).toMatch(/^reward c is removed but has 10 grants/);
    const noGrants = checkActivation(
      { current: base, next: removed, usage: usage(), today: TODAY, now: NOW },
      false,
    );
    expect(noGrants.warnings).toEqual([]);
  });
});
