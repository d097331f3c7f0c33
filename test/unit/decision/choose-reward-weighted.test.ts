import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import type { Availability } from '../../../src/decision/availability';
import { chooseReward } from '../../../src/decision/choose-reward';
import { seededRandom, type Random } from '../../../src/decision/random';
import {
  at,
  availabilityWith,
  campaignWith,
  coupon,
  redPacket,
  scriptedRandom,
  segmentOf,
} from './decision-fixtures';

const NOW = at('2026-11-25T12:00:00+08:00');

const lottery = (fallback?: string): CampaignDefinition =>
  campaignWith({
    rewards: [
      redPacket('big', 500, 2000),
      redPacket('small', 50, 200),
      coupon('c', 300),
      { id: 'thanks', type: 'none' },
    ],
    segments: [
      {
        id: 'everyone',
        rewards: [
          { reward: 'big', weight: 30 },
          { reward: 'small', weight: 60 },
          { reward: 'thanks', weight: 10 },
        ],
      },
    ],
    decision: fallback === undefined ? { strategy: 'weighted' } : { strategy: 'weighted', fallback },
  });

const choose = (
  campaign: CampaignDefinition,
  availability: Availability,
  random: Random,
  exclude?: Set<string>,
) =>
  chooseReward({
    campaign,
    segment: segmentOf(campaign),
    availability,
    now: NOW,
    random,
    ...(exclude ? { exclude } : {}),
  });

function tally(campaign: CampaignDefinition, availability: Availability, n: number, seed: string) {
  const random = seededRandom(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = choose(campaign, availability, random);
    const key = c.kind === 'reward' ? c.reward.id : c.outcome;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('chooseReward, weighted (DESIGN.md Semantics: `weighted` draws in proportion to `weight`)', () => {
  it('draws 30/60/10 within 0.7 points over 100k seeded draws', () => {
    const counts = tally(lottery('thanks'), availabilityWith(), 100_000, 'distribution');
    expect(Math.abs((counts.big ?? 0) - 30_000)).toBeLessThan(700);
    expect(Math.abs((counts.small ?? 0) - 60_000)).toBeLessThan(700);
    expect(Math.abs((counts.thanks ?? 0) - 10_000)).toBeLessThan(700);
  });

  it('is reproducible with a seed: same rewards and amounts (dry-run --seed)', () => {
    const run = (seed: string) => {
      const random = seededRandom(seed);
      return Array.from({ length: 200 }, () => {
        const c = choose(lottery('thanks'), availabilityWith(), random);
        return c.kind === 'reward' ? `${c.reward.id}:${c.amount}` : c.outcome;
      });
    };
    expect(run('s1')).toEqual(run('s1'));
    expect(run('s1')).not.toEqual(run('s2'));
  });

  it('maps the draw onto weights in list order and records it', () => {
    const campaign = lottery('thanks');
    const pick = (u: number) => {
      const c = choose(campaign, availabilityWith(), scriptedRandom(u, 0));
      return c.kind === 'reward' ? [c.reward.id, c.draw] : [];
    };
    expect(pick(0)).toEqual(['big', 0]);
    expect(pick(0.2999)).toEqual(['big', 0.2999]);
    expect(pick(0.3)).toEqual(['small', 0.3]);
    expect(pick(0.8999)).toEqual(['small', 0.8999]);
    expect(pick(0.9)).toEqual(['thanks', 0.9]);
  });

  it('traces every candidate with its weight, expected charge and availability, and marks the drawn one', () => {
    const c = choose(
      lottery(),
      availabilityWith({ stockLeft: { big: 0, small: 7 } }),
      scriptedRandom(0.5, 0),
    );
    expect(c.kind).toBe('reward');
    expect(c.candidates).toEqual([
      expect.objectContaining({
        rewardId: 'big',
        weight: 30,
        expectedCharge: 1250,
        stockLeft: 0,
        available: false,
        reason: 'out_of_stock',
        selected: false,
      }),
      expect.objectContaining({
        rewardId: 'small',
        weight: 60,
        expectedCharge: 125,
        stockLeft: 7,
        available: true,
        selected: true,
      }),
      expect.objectContaining({
        rewardId: 'thanks',
        weight: 10,
        expectedCharge: 0,
        efficiency: null,
        stockLeft: null,
        available: true,
      }),
    ]);
    expect(JSON.parse(JSON.stringify(c.candidates))).toEqual(c.candidates);
  });

  it('gives a red packet its drawn amount and charges it', () => {
    const c = choose(lottery(), availabilityWith(), scriptedRandom(0.5, 0));
    expect(c).toMatchObject({ kind: 'reward', source: 'strategy', amount: 50, charge: 50 });
  });
});

describe('chooseReward, weighted, unavailable rewards (DESIGN.md Semantics: "Unavailable rewards")', () => {
  it('gives the fallback when the drawn reward is out of stock, keeping the odds of the others (no re-draw)', () => {
    const counts = tally(lottery('thanks'), availabilityWith({ stockLeft: { big: 0 } }), 100_000, 'odds');
    expect(counts.big).toBeUndefined();
    expect(Math.abs((counts.small ?? 0) - 60_000)).toBeLessThan(700);
    expect(Math.abs((counts.thanks ?? 0) - 40_000)).toBeLessThan(700); // its own 10% plus big's 30%
  });

  it('marks a fallback grant as such and keeps the draw', () => {
    const c = choose(lottery('thanks'), availabilityWith({ stockLeft: { big: 0 } }), scriptedRandom(0.1));
    expect(c).toMatchObject({ kind: 'reward', source: 'fallback', amount: 0, charge: 0, draw: 0.1 });
    expect(c.kind === 'reward' && c.reward.id).toBe('thanks');
  });

  it('answers out_of_stock without a fallback when the drawn reward is out of stock, even if others remain', () => {
    const c = choose(lottery(), availabilityWith({ stockLeft: { big: 0 } }), scriptedRandom(0.1));
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock', draw: 0.1 });
  });

  it('answers budget_exhausted without a fallback when the drawn reward is unaffordable', () => {
    const c = choose(lottery(), availabilityWith({ budgetLeft: 400 }), scriptedRandom(0.1));
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'budget_exhausted' });
    expect(c.candidates[0]).toMatchObject({ rewardId: 'big', reason: 'budget_exhausted' });
  });

  it('answers budget_exhausted when the drawn reward is out of stock and a costly fallback unaffordable', () => {
    const campaign = lottery('c');
    const c = choose(
      campaign,
      availabilityWith({ stockLeft: { big: 0 }, budgetLeft: 299 }),
      scriptedRandom(0.1),
    );
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'budget_exhausted' });
    expect(c.candidates.at(-1)).toMatchObject({
      rewardId: 'c',
      role: 'fallback',
      weight: 0,
      available: false,
    });
  });

  it('answers out_of_stock when both the drawn reward and the fallback are out of stock', () => {
    const c = choose(lottery('c'), availabilityWith({ stockLeft: { big: 0, c: 0 } }), scriptedRandom(0.1));
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock' });
  });

  it('answers for the drawn reward alone when it is the unavailable fallback itself', () => {
    const c = choose(lottery('big'), availabilityWith({ stockLeft: { big: 0 } }), scriptedRandom(0.1));
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock' });
    expect(c.candidates).toHaveLength(3);
  });

  it('gives the fallback from inside the segment when it is listed there', () => {
    const campaign = lottery('small');
    const c = choose(campaign, availabilityWith({ stockLeft: { big: 0 } }), scriptedRandom(0.1, 0));
    expect(c).toMatchObject({ kind: 'reward', source: 'fallback', amount: 50 });
    expect(c.candidates).toHaveLength(3);
  });

  it('clamps a drawn red packet to the budget left (DESIGN.md Semantics: when the budget runs low)', () => {
    const top = (Math.floor(2 ** 53 / 1501) * 1501 - 1) / 2 ** 53; // draws big's max, 2000
    const c = choose(lottery(), availabilityWith({ budgetLeft: 700 }), scriptedRandom(0.1, top));
    expect(c).toMatchObject({ kind: 'reward', amount: 700, charge: 700 });
  });

  it('uses the daily budget when it is lower than the total budget', () => {
    const low = availabilityWith({ budgetLeft: 1_000_000, dailyBudgetLeft: 60 });
    expect(choose(lottery('thanks'), low, scriptedRandom(0.5, 0.999))).toMatchObject({
      amount: 60,
      charge: 60,
    });
    const gone = availabilityWith({ budgetLeft: 1_000_000, dailyBudgetLeft: 49 });
    expect(choose(lottery(), gone, scriptedRandom(0.5))).toMatchObject({
      kind: 'unavailable',
      outcome: 'budget_exhausted',
    });
  });

  it('does not pace: a weighted campaign far ahead of any pacing line still grants', () => {
    const campaign = campaignWith({ ...lottery(), budget: { currency: 'CNY', total: 1_000_000 } });
    const ahead = availabilityWith({ budgetLeft: 10_000, spent: 990_000 });
    expect(choose(campaign, ahead, scriptedRandom(0.5, 0))).toMatchObject({ kind: 'reward', charge: 50 });
  });

  it('treats excluded rewards as unavailable (a lost reserve race): the fallback is given', () => {
    const c = choose(lottery('thanks'), availabilityWith(), scriptedRandom(0.5), new Set(['small']));
    expect(c).toMatchObject({ kind: 'reward', source: 'fallback' });
    expect(c.candidates[1]).toMatchObject({
      rewardId: 'small',
      available: false,
      reason: 'excluded',
      excluded: true,
    });
  });

  it('uses a draw passed back in (the retry after a lost reserve race) instead of drawing again', () => {
    const random = scriptedRandom(0.9);
    const c = chooseReward({
      campaign: lottery('thanks'),
      segment: segmentOf(lottery('thanks')),
      availability: availabilityWith(),
      now: NOW,
      random,
      exclude: new Set(['small']),
      draw: 0.5,
    });
    expect(c).toMatchObject({ kind: 'reward', source: 'fallback', draw: 0.5 });
    expect(c.kind === 'reward' && c.reward.id).toBe('thanks');
    expect(random.calls).toBe(0);
  });

  it('with a draw passed back in and the fresh counters (the retry after a lost budget race), gives the same red packet cut down to what is left, the fallback below min', () => {
    const retry = (dailyBudgetLeft: number) => {
      const random = scriptedRandom((2000 - 500) / 2 ** 53); // an amount draw of 2000, big's max
      const campaign = lottery('thanks');
      const c = chooseReward({
        campaign,
        segment: segmentOf(campaign),
        availability: availabilityWith({ dailyBudgetLeft }),
        now: NOW,
        random,
        draw: 0.1, // lands on big
      });
      return { c, amountDraws: random.calls };
    };
    const cut = retry(800);
    expect(cut.c).toMatchObject({ kind: 'reward', source: 'strategy', amount: 800, charge: 800, draw: 0.1 });
    expect(cut.c.kind === 'reward' && cut.c.reward.id).toBe('big');
    expect(cut.amountDraws).toBe(1); // the amount is drawn anew, the reward is not
    const below = retry(499);
    expect(below.c).toMatchObject({ kind: 'reward', source: 'fallback', amount: 0, draw: 0.1 });
    expect(below.c.kind === 'reward' && below.c.reward.id).toBe('thanks');
    expect(below.amountDraws).toBe(0);
  });

  it('refuses a generator that returns a value outside [0, 1)', () => {
    expect(() => choose(lottery(), availabilityWith(), () => 1)).toThrow(RangeError);
  });
});
