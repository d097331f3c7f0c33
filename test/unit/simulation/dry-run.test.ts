import { seededRandom } from '../../../src/decision/random';
import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { dryRun, type DryRunInput, type DryRunReport } from '../../../src/simulation/dry-run';
import * as participant from '../../../src/simulation/evaluate-participant';
import type { SimulatedUser } from '../../../src/simulation/evaluate-participant';
import { syntheticUserFactory } from '../../../src/simulation/synthetic-users';
import {
  campaign,
  compiled,
  coupon,
  crowd,
  redPacket,
  repoCampaign,
  THANKS,
  user,
} from './simulation-fixtures';

const START = Date.parse('2026-11-20T00:00:00+08:00');
const SPAN = 3 * 24 * 3_600_000;

function run(
  definition: CampaignDefinition,
  users: SimulatedUser[],
  options: Partial<Omit<DryRunInput, 'compiled' | 'users'>> = {},
): Promise<DryRunReport> {
  return dryRun({
    compiled: compiled(definition),
    users,
    total: users.length,
    at: null,
    random: seededRandom('dry-run'),
    ...options,
  });
}

const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

afterEach(() => jest.restoreAllMocks());

describe('dryRun: reproducibility', () => {
  async function synthetic(seed: string, n = 2000): Promise<DryRunReport> {
    const resolved = await repoCampaign('double11-red-packet-rain');
    const random = seededRandom(seed);
    const make = syntheticUserFactory(resolved.definition, Object.values(resolved.rules), random);
    return dryRun({
      compiled: compileCampaign(resolved),
      users: Array.from({ length: n }, (_, i) => make(i)),
      total: n,
      at: null,
      random,
      distinctUsers: true,
    });
  }

  it('gives the identical report for the same seed, apart from durationMs', async () => {
    const first = await synthetic('same');
    const second = await synthetic('same');
    expect({ ...second, durationMs: 0 }).toEqual({ ...first, durationMs: 0 });
    expect(first.users).toBe(2000);
    expect(first.spend).toBeGreaterThan(0);
  });

  it('gives a different crowd and spend for another seed', async () => {
    const first = await synthetic('same');
    const other = await synthetic('other');
    expect(other.spend).not.toBe(first.spend);
    expect(other.segments).not.toEqual(first.segments);
  });

  it('counts the same whether or not it keeps per-user books for a crowd of distinct users', async () => {
    const definition = campaign({ limits: { perUser: { total: 1 } } });
    const users = crowd(300);
    const books = await run(definition, users);
    const noBooks = await run(definition, users, { distinctUsers: true });
    expect({ ...noBooks, durationMs: 0 }).toEqual({ ...books, durationMs: 0 });
  });
});

describe('dryRun: the account-age check (minAccountAgeDays)', () => {
  const aged = campaign({ protection: { velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 3 } } });

  it('counts refused users as velocity: no segment, no grant, no spend, not unmatched', async () => {
    const users = [
      user('young', { registeredDays: 1 }),
      user('unknown', {}),
      user('old', { registeredDays: 30 }),
      user('edge', { registeredDays: 3 }),
    ];
    const report = await run(aged, users);
    expect(report.outcomes).toEqual({ velocity: 2, granted: 2 });
    expect(report.segments).toEqual({ everyone: 2 });
    expect(report.rewards['rp']).toBe(2);
    expect(report.unmatched).toBe(0);
  });

  it('refuses nobody for a campaign without the check', async () => {
    const report = await run(campaign(), [user('unknown', {})]);
    expect(report.outcomes).toEqual({ granted: 1 });
  });
});

describe('dryRun: stock', () => {
  const limited = campaign({
    rewards: [redPacket('rp', 50, 200, 5), THANKS],
    decision: { strategy: 'weighted', fallback: 'thanks' },
  });

  it('records the stock-out at the user who took the last unit, at that user’s time', async () => {
    const report = await run(limited, crowd(12));
    expect(report.rewards).toEqual({ rp: 5, thanks: 7 });
    // user 5 of 12 joins at (4.5 / 12) of the three-day window: 27 h after 2026-11-20T00:00+08:00
    expect(report.stockouts).toEqual({ rp: { afterUsers: 5, at: '2026-11-20T19:00:00.000Z' } });
    expect(new Date(START + Math.floor((4.5 / 12) * SPAN)).toISOString()).toBe('2026-11-20T19:00:00.000Z');
  });

  it('records no stock-out for a reward that does not sell out', async () => {
    const report = await run(limited, crowd(5 - 1));
    expect(report.rewards).toEqual({ rp: 4, thanks: 0 });
    expect(report.stockouts).toEqual({});
  });

  it('answers out_of_stock once the stock is gone and there is no fallback', async () => {
    const report = await run(campaign({ rewards: [redPacket('rp', 50, 200, 3)] }), crowd(5));
    expect(report.outcomes).toEqual({ granted: 3, out_of_stock: 2 });
    expect(report.stockouts['rp']?.afterUsers).toBe(3);
  });
});

describe('dryRun: budget', () => {
  /** Every granted charge, as the decision made it. */
  function recordCharges(): number[] {
    const charges: number[] = [];
    const original = participant.evaluateParticipant;
    jest.spyOn(participant, 'evaluateParticipant').mockImplementation(async (input) => {
      const evaluation = await original(input);
      if (evaluation.outcome === 'granted' && evaluation.choice?.kind === 'reward') {
        charges.push(evaluation.choice.charge);
      }
      return evaluation;
    });
    return charges;
  }

  it('never spends more than the total budget, and spend is the sum of the charges', async () => {
    const charges = recordCharges();
    const report = await run(campaign({ budget: { currency: 'CNY', total: 1090 } }), crowd(100));
    expect(report.spend).toBe(charges.reduce((a, b) => a + b, 0));
    expect(report.spend).toBeLessThanOrEqual(1090);
    // it stops only when what is left cannot pay the minimum amount (50): a larger draw is clamped
    expect(report.spend).toBeGreaterThan(1090 - 50);
    expect(report.budget.remaining).toBe(1090 - report.spend);
    expect(report.outcomes['granted']).toBe(charges.length);
    expect(report.outcomes['budget_exhausted']).toBe(100 - charges.length);
    expect(sum(report.spendByDay)).toBe(report.spend);
  });

  it('never spends more than the daily budget on any business day', async () => {
    const charges = recordCharges();
    const report = await run(campaign({ budget: { currency: 'CNY', total: 2500, daily: 1000 } }), crowd(300));
    expect(Object.keys(report.spendByDay)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    const [first, second, third] = Object.values(report.spendByDay);
    // the first two days stop at the daily budget; the third at what is left of the total
    for (const spent of [first, second]) {
      expect(spent).toBeLessThanOrEqual(1000);
      expect(spent).toBeGreaterThan(1000 - 50);
    }
    expect(third).toBeLessThan(1000 - 50);
    expect(report.spend).toBeLessThanOrEqual(2500);
    expect(report.spend).toBeGreaterThan(2500 - 50);
    expect(report.spend).toBe(charges.reduce((a, b) => a + b, 0));
    expect(report.budget.peakDaily).toBe(Math.max(...Object.values(report.spendByDay)));
  });

  it('charges a coupon its cost and gives the fallback when the budget cannot pay it', async () => {
    const report = await run(
      campaign({
        rewards: [coupon('c', 300), THANKS],
        segments: [{ id: 'everyone', rewards: [{ reward: 'c', weight: 1 }] }],
        budget: { currency: 'CNY', total: 1000 },
        decision: { strategy: 'weighted', fallback: 'thanks' },
      }),
      crowd(10),
    );
    expect(report.rewards).toEqual({ c: 3, thanks: 7 });
    expect(report.spend).toBe(900);
    expect(report.outcomes).toEqual({ granted: 10 });
    expect(report.budget).toEqual({
      currency: 'CNY',
      total: 1000,
      daily: null,
      remaining: 100,
      peakDaily: 900,
    });
  });
});

describe('dryRun: per-user limits and history', () => {
  const limited = campaign({
    rewards: [coupon('c', 100)],
    segments: [{ id: 'everyone', rewards: [{ reward: 'c', weight: 1 }] }],
    limits: { perUser: { total: 2, daily: 1 } },
  });

  it('applies the daily and total limits to a userId that comes back', async () => {
    // six visits over three days: 06:00 and 18:00 local on 20, 21 and 22 November
    const report = await run(
      limited,
      Array.from({ length: 6 }, () => user('alice')),
    );
    expect(report.outcomes).toEqual({ granted: 2, limit_reached: 4 });
    expect(report.spendByDay).toEqual({ '2026-11-20': 100, '2026-11-21': 100 });
  });

  it('applies them at a fixed time, without touching other users', async () => {
    const users = [user('alice'), user('alice'), user('bob'), user('alice')];
    const report = await run(limited, users, { at: new Date('2026-11-21T12:00:00+08:00') });
    expect(report.outcomes).toEqual({ granted: 2, limit_reached: 2 });
    expect(report.segments).toEqual({ everyone: 4 });
  });

  it("adds the users file's own history to what the run gave", async () => {
    const returning: SimulatedUser = { ...user('carol'), history: { grants: 1, grantsToday: 0 } };
    const report = await run(limited, [returning, returning]);
    expect(report.outcomes).toEqual({ granted: 1, limit_reached: 1 });
  });

  it('counts every visit as a participation, as the ledger does, for rules that read history', async () => {
    const firstVisit = campaign({
      rewards: [coupon('welcome', 100), THANKS],
      segments: [
        { id: 'first', when: 'first-visit', rewards: [{ reward: 'welcome', weight: 1 }] },
        { id: 'again', rewards: [{ reward: 'thanks', weight: 1 }] },
      ],
    });
    const seen: SimulatedUser = { ...user('erin'), history: { participations: 1 } };
    const report = await run(firstVisit, [user('dave'), user('dave'), user('dave'), seen]);
    expect(report.segments).toEqual({ first: 1, again: 3 });
    expect(report.rewards).toEqual({ welcome: 1, thanks: 3 });
  });
});

describe('dryRun: time', () => {
  it('answers not_started for everyone when --at is before the window', async () => {
    const at = new Date('2026-11-19T23:59:59+08:00');
    const report = await run(campaign(), crowd(7), { at });
    expect(report).toEqual({
      campaign: 'sim-campaign',
      at: '2026-11-19T15:59:59.000Z',
      users: 7,
      outcomes: { not_started: 7 },
      segments: { everyone: 0 },
      rewards: { rp: 0, thanks: 0 },
      unmatched: 0,
      testers: 0,
      unreached: ['everyone'],
      spend: 0,
      spendByDay: {},
      budget: { currency: null, total: null, daily: null, remaining: null, peakDaily: 0 },
      stockouts: {},
      durationMs: report.durationMs,
    });
  });

  it('answers ended for everyone when --at is at the window end (exclusive)', async () => {
    const report = await run(campaign(), crowd(3), { at: new Date('2026-11-23T00:00:00+08:00') });
    expect(report.outcomes).toEqual({ ended: 3 });
  });

  it('spreads users evenly over a multi-day window, so every business day gets its share', async () => {
    const report = await run(
      campaign({
        rewards: [coupon('c', 100)],
        segments: [{ id: 'everyone', rewards: [{ reward: 'c', weight: 1 }] }],
      }),
      crowd(30),
    );
    expect(report.at).toBeNull();
    expect(report.spendByDay).toEqual({ '2026-11-20': 1000, '2026-11-21': 1000, '2026-11-22': 1000 });
  });

  it('keys days in the campaign timezone, not UTC', async () => {
    // 2026-11-20T00:00+08:00 .. 2026-11-21T00:00+08:00 is one business day but spans two UTC dates
    const oneDay = campaign({
      window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-21T00:00:00+08:00' },
    });
    const report = await run(oneDay, crowd(48));
    expect(Object.keys(report.spendByDay)).toEqual(['2026-11-20']);
  });
});

describe('dryRun: segments', () => {
  const targeted = campaign({
    entry: { activityCode: 'none', channels: ['app'] },
    segments: [
      { id: 'new-users', when: 'new-user', rewards: [{ reward: 'rp', weight: 1 }] },
      { id: 'vips', when: 'vip', rewards: [{ reward: 'rp', weight: 1 }] },
    ],
  });
  const app = { channel: 'app' };

  it('counts users per segment, users who match none, and segments nobody reached', async () => {
    const users = [
      user('n1', { registeredDays: 1 }, app),
      user('n2', { registeredDays: 3 }, app),
      user('n3', { registeredDays: 1, tags: ['vip'] }, app),
      user('o1', { registeredDays: 400 }, app),
      user('o2', {}, app),
      user('w1', { registeredDays: 1 }, { channel: 'web' }),
    ];
    const report = await run(targeted, users);
    expect(report.segments).toEqual({ 'new-users': 3, vips: 0 });
    expect(report.unmatched).toBe(2);
    expect(report.unreached).toEqual(['vips']);
    expect(report.outcomes).toEqual({ granted: 3, not_eligible: 2, channel_not_allowed: 1 });
    expect(report.rewards).toEqual({ rp: 3, thanks: 0 });
  });

  it('reaches a later segment only with users the earlier ones do not take', async () => {
    const report = await run(targeted, [user('v', { registeredDays: 30, tags: ['vip'] }, app)]);
    expect(report.segments).toEqual({ 'new-users': 0, vips: 1 });
    expect(report.unreached).toEqual(['new-users']);
    expect(report.unmatched).toBe(0);
  });
});

describe('dryRun: input', () => {
  it('reads an async stream of users and reports progress every 1,000 users and at the end', async () => {
    async function* stream(): AsyncGenerator<SimulatedUser> {
      for (let i = 0; i < 2500; i++) yield user(`u${i}`);
    }
    const progress: number[] = [];
    const report = await dryRun({
      compiled: compiled(campaign()),
      users: stream(),
      total: 2500,
      at: null,
      random: seededRandom('stream'),
      onProgress: (n) => progress.push(n),
    });
    expect(report.users).toBe(2500);
    expect(progress).toEqual([1000, 2000, 2500]);
  });
});
