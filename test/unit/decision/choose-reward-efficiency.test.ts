import type {
  CampaignDefinition,
  RewardDefinition,
  SegmentReward,
} from '../../../src/definitions/campaign-types';
import type { Availability } from '../../../src/decision/availability';
import { chooseReward, type ChooseRewardInput } from '../../../src/decision/choose-reward';
import type { Choice } from '../../../src/decision/choice';
import { seededRandom } from '../../../src/decision/random';
import { at, availabilityWith, campaignWith, coupon, redPacket } from './decision-fixtures';

const MID = at('2026-11-25T00:00:00+08:00'); // half-way through the ten-day window, start of a business day

const rewards: RewardDefinition[] = [
  coupon('beauty', 900), // 3.2 / 900 ≈ 0.00356
  coupon('dining', 250), // 0.7 / 250 = 0.0028
  redPacket('rp', 100, 300), // 0.5 / 200 = 0.0025
  { id: 'thanks', type: 'none' },
  { id: 'sorry', type: 'none' },
];

function efficient(entries: SegmentReward[], extra: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return campaignWith({
    rewards,
    segments: [{ id: 's', rewards: entries }],
    decision: { strategy: 'efficiency' },
    ...extra,
  });
}

const standard: SegmentReward[] = [
  { reward: 'thanks', weight: 1 },
  { reward: 'rp', weight: 1, score: 0.5 },
  { reward: 'dining', weight: 1, score: 0.7 },
  { reward: 'beauty', weight: 1, score: 3.2 },
];

function choose(
  campaign: CampaignDefinition,
  availability: Availability = availabilityWith(),
  extra: Partial<ChooseRewardInput> = {},
): Choice {
  const segment = campaign.segments[0];
  if (!segment) throw new Error('no segment');
  return chooseReward({ campaign, segment, availability, now: MID, random: seededRandom('e'), ...extra });
}

const rewardOf = (c: Choice): string => (c.kind === 'reward' ? c.reward.id : c.outcome);

describe('chooseReward, efficiency (DESIGN.md Semantics: highest score / expected charge)', () => {
  it('picks the highest score / expected charge, wherever it is listed', () => {
    const c = choose(efficient(standard));
    expect(rewardOf(c)).toBe('beauty');
    expect(c).toMatchObject({ kind: 'reward', source: 'strategy', amount: 2700, charge: 900 });
    expect(c).not.toHaveProperty('draw');
    expect(c.candidates.find((t) => t.selected)?.rewardId).toBe('beauty');
    expect(c.candidates.find((t) => t.rewardId === 'dining')).toMatchObject({
      efficiency: 0.7 / 250,
      scoreSource: 'yaml',
    });
  });

  it('uses a red packet’s expected charge (min + max) / 2', () => {
    const c = choose(
      efficient([
        { reward: 'rp', weight: 1, score: 0.81 },
        { reward: 'dining', weight: 1, score: 1 },
      ]),
    );
    expect(rewardOf(c)).toBe('rp'); // 0.81 / 200 > 1 / 250
  });

  it('takes scores from the recommendation service over the YAML, per reward', () => {
    const c = choose(efficient(standard), availabilityWith(), { scores: { dining: 10 } });
    expect(rewardOf(c)).toBe('dining');
    expect(c.candidates.find((t) => t.rewardId === 'dining')).toMatchObject({
      score: 10,
      scoreSource: 'recommendation',
    });
    expect(c.candidates.find((t) => t.rewardId === 'beauty')).toMatchObject({
      score: 3.2,
      scoreSource: 'yaml',
    });
  });

  it('ignores a non-finite recommendation score and defaults a missing YAML score to 1', () => {
    const c = choose(
      efficient([
        { reward: 'beauty', weight: 1 },
        { reward: 'dining', weight: 1 },
      ]),
      availabilityWith(),
      {
        scores: { dining: Number.NaN },
      },
    );
    expect(rewardOf(c)).toBe('dining'); // 1 / 250 > 1 / 900
    expect(c.candidates.map((t) => [t.score, t.scoreSource])).toEqual([
      [1, 'default'],
      [1, 'default'],
    ]);
  });

  it('ranks a paid-type reward that costs nothing first when its score is positive, last when negative', () => {
    const free = campaignWith({
      rewards: [...rewards, coupon('free', 0, 500)],
      decision: { strategy: 'efficiency' },
      segments: [{ id: 's', rewards: [...standard, { reward: 'free', weight: 1, score: 0.1 }] }],
    });
    const c = choose(free);
    expect(rewardOf(c)).toBe('free');
    expect(c.candidates.at(-1)).toMatchObject({ efficiency: null, expectedCharge: 0 });
    const unwanted = campaignWith({
      ...free,
      segments: [
        {
          id: 's',
          rewards: [
            { reward: 'free', weight: 1, score: -1 },
            { reward: 'dining', weight: 1, score: -1 },
          ],
        },
      ],
    });
    expect(rewardOf(choose(unwanted))).toBe('dining'); // -1 / 250 > -Infinity
  });

  it('breaks a tie by list order', () => {
    const tie = [
      { reward: 'dining', weight: 1, score: 1 },
      { reward: 'rp', weight: 1, score: 0.8 }, // 0.8 / 200 = 1 / 250
    ];
    expect(rewardOf(choose(efficient(tie)))).toBe('dining');
    expect(rewardOf(choose(efficient([...tie].reverse())))).toBe('rp');
  });

  it('falls to the next best when the best is out of stock or unaffordable', () => {
    expect(rewardOf(choose(efficient(standard), availabilityWith({ stockLeft: { beauty: 0 } })))).toBe(
      'dining',
    );
    expect(rewardOf(choose(efficient(standard), availabilityWith({ budgetLeft: 899 })))).toBe('dining');
  });

  it('clamps a red packet to the budget left', () => {
    const c = choose(efficient([{ reward: 'rp', weight: 1 }]), availabilityWith({ dailyBudgetLeft: 120 }));
    expect(c).toMatchObject({ kind: 'reward', amount: expect.any(Number) as number });
    expect(c.kind === 'reward' && c.amount >= 100 && c.amount <= 120).toBe(true);
  });

  it('skips excluded rewards (a lost reserve race) and picks the next best', () => {
    const c = choose(efficient(standard), availabilityWith(), { exclude: new Set(['beauty']) });
    expect(rewardOf(c)).toBe('dining');
  });
});

describe('chooseReward, efficiency: a consolation only when nothing else is available (DESIGN.md Semantics)', () => {
  it('never picks a listed consolation while another reward is available, despite its infinite ratio', () => {
    expect(
      rewardOf(choose(efficient(standard), availabilityWith({ stockLeft: { beauty: 0, dining: 0 } }))),
    ).toBe('rp');
  });

  it('picks the first listed consolation when nothing else is available, as the strategy’s pick', () => {
    const segment = [...standard, { reward: 'sorry', weight: 1 }];
    const c = choose(
      efficient(segment, { decision: { strategy: 'efficiency', fallback: 'sorry' } }),
      availabilityWith({ budgetLeft: 99 }),
    );
    expect(c).toMatchObject({ kind: 'reward', source: 'strategy', amount: 0, charge: 0 });
    expect(rewardOf(c)).toBe('thanks');
  });

  it('gives decision.fallback when the segment has no consolation and nothing is available', () => {
    const c = choose(
      efficient(standard.slice(1), { decision: { strategy: 'efficiency', fallback: 'thanks' } }),
      availabilityWith({ budgetLeft: 0 }),
    );
    expect(c).toMatchObject({ kind: 'reward', source: 'fallback' });
    expect(c.candidates.at(-1)).toMatchObject({ rewardId: 'thanks', role: 'fallback', available: true });
  });

  it('answers out_of_stock when every candidate is out of stock and there is no fallback', () => {
    const c = choose(
      efficient(standard.slice(1)),
      availabilityWith({ stockLeft: { beauty: 0, dining: 0, rp: 0 } }),
    );
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock' });
  });

  it('answers budget_exhausted when some candidate failed on budget rather than stock', () => {
    const c = choose(
      efficient(standard.slice(1)),
      availabilityWith({ stockLeft: { beauty: 0, dining: 0 }, budgetLeft: 50 }),
    );
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'budget_exhausted' });
  });

  it('answers budget_exhausted for a plain-set exclusion, out_of_stock when the caller says it was stock', () => {
    const ids = ['beauty', 'dining', 'rp'];
    const asSet = choose(efficient(standard.slice(1)), availabilityWith(), { exclude: new Set(ids) });
    expect(asSet).toMatchObject({ kind: 'unavailable', outcome: 'budget_exhausted' });
    const asMap = choose(efficient(standard.slice(1)), availabilityWith(), {
      exclude: new Map(ids.map((id) => [id, 'out_of_stock' as const])),
    });
    expect(asMap).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock' });
    expect(asMap.candidates[0]).toMatchObject({ reason: 'out_of_stock', excluded: true });
  });

  it('counts a fallback listed in the segment once when it is unavailable too', () => {
    const campaign = efficient(standard.slice(1), {
      decision: { strategy: 'efficiency', fallback: 'dining' },
    });
    const c = choose(campaign, availabilityWith({ stockLeft: { beauty: 0, dining: 0, rp: 0 } }));
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'out_of_stock' });
    expect(c.candidates.map((t) => t.rewardId)).toEqual(['rp', 'dining', 'beauty']);
  });

  it('honours the exclusion of a consolation too', () => {
    const c = choose(efficient([{ reward: 'thanks', weight: 1 }]), availabilityWith(), {
      exclude: new Set(['thanks']),
    });
    expect(c).toMatchObject({ kind: 'unavailable' });
  });

  it('answers for an empty segment with the fallback, else out_of_stock', () => {
    expect(
      rewardOf(choose(efficient([], { decision: { strategy: 'efficiency', fallback: 'thanks' } }))),
    ).toBe('thanks');
    expect(rewardOf(choose(efficient([])))).toBe('out_of_stock');
  });
});

describe('chooseReward, efficiency pacing (DESIGN.md Semantics: skipped while spending would exhaust the budget early)', () => {
  // total 1,000,000 over ten days, daily 200,000; slack 10,000 total and 2,000 daily.
  const BUDGET = { currency: 'CNY', total: 1_000_000, daily: 200_000 };
  const paced = efficient(standard, { budget: BUDGET });
  const START = at('2026-11-20T00:00:00+08:00');

  it('lets the first grants of the window through thanks to the slack', () => {
    expect(rewardOf(choose(paced, availabilityWith(), { now: START }))).toBe('beauty');
  });

  it('skips a reward that would run ahead of the line early in the window, and gives a cheaper one', () => {
    const c = choose(paced, availabilityWith({ spent: 1_500, dailySpent: 1_500 }), { now: START });
    expect(rewardOf(c)).toBe('dining'); // 1,500 + 900 > 2,000 daily slack; 1,500 + 250 fits
    expect(c.candidates.find((t) => t.rewardId === 'beauty')).toMatchObject({
      available: false,
      reason: 'paced',
    });
  });

  it('gives the consolation when every paid reward is paced, and answers budget_exhausted without one', () => {
    const ahead = availabilityWith({ spent: 1_900, dailySpent: 1_900 });
    expect(rewardOf(choose(paced, ahead, { now: START }))).toBe('thanks');
    const noConsolation = efficient(standard.slice(1), { budget: BUDGET });
    expect(rewardOf(choose(noConsolation, ahead, { now: START }))).toBe('budget_exhausted');
  });

  it('does not skip the same spend later in the window and day', () => {
    const c = choose(paced, availabilityWith({ spent: 1_500, dailySpent: 1_500 }), {
      now: at('2026-11-20T01:00:00+08:00'),
    });
    expect(rewardOf(c)).toBe('beauty'); // the daily line is now 200,000 / 24 + 2,000
  });

  it('paces against the total line when the total is ahead even though the day is not', () => {
    // Half-way: the total line is 510,000; 509,500 + 900 is over it, 509,500 + 250 is not.
    const c = choose(paced, availabilityWith({ spent: 509_500, dailySpent: 0 }), { now: MID });
    expect(rewardOf(c)).toBe('dining');
  });

  it('paces a costly fallback too, so the fallback cannot bypass pacing', () => {
    const campaign = efficient([{ reward: 'rp', weight: 1 }], {
      budget: BUDGET,
      decision: { strategy: 'efficiency', fallback: 'beauty' },
    });
    const c = choose(campaign, availabilityWith({ stockLeft: { rp: 0 }, spent: 1_500, dailySpent: 1_500 }), {
      now: START,
    });
    expect(c).toMatchObject({ kind: 'unavailable', outcome: 'budget_exhausted' });
    expect(c.candidates.at(-1)).toMatchObject({ rewardId: 'beauty', role: 'fallback', reason: 'paced' });
  });

  it('uses the business date passed in for the daily line', () => {
    const ahead = availabilityWith({ spent: 1_500, dailySpent: 1_500 });
    const c = choose(paced, ahead, { now: at('2026-11-20T01:00:00+08:00'), businessDate: '2026-11-21' });
    expect(rewardOf(c)).toBe('dining');
  });
});
