import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import type { Availability } from '../../../src/decision/availability';
import { chooseReward } from '../../../src/decision/choose-reward';
import type { Choice } from '../../../src/decision/choice';
import { seededRandom, type Random } from '../../../src/decision/random';
import { at, availabilityWith, exampleCampaign, segmentOf } from './decision-fixtures';

function decide(
  campaign: CampaignDefinition,
  segmentId: string,
  availability: Availability,
  random: Random,
  now: Date,
): Choice {
  const segment = campaign.segments.find((s) => s.id === segmentId);
  if (!segment) throw new Error(`no segment ${segmentId}`);
  return chooseReward({ campaign, segment, availability, now, random });
}

const rewardIdOf = (c: Choice): string => (c.kind === 'reward' ? c.reward.id : c.outcome);

function tally(run: () => Choice, n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = run();
    const key = rewardIdOf(c);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('the example campaigns decide as their YAML says', () => {
  it('double11-red-packet-rain: new users get big/small/thanks 30/60/10, amounts in range', () => {
    const campaign = exampleCampaign('double11-red-packet-rain');
    const random = seededRandom('rain');
    const now = at('2026-11-11T20:00:00+08:00');
    const amounts: number[] = [];
    const counts = tally(() => {
      const c = decide(campaign, 'new-users', availabilityWith(), random, now);
      if (c.kind === 'reward' && c.reward.id === 'rp-big') amounts.push(c.amount);
      return c;
    }, 50_000);
    expect(Math.abs((counts['rp-big'] ?? 0) - 15_000)).toBeLessThan(600);
    expect(Math.abs((counts['rp-small'] ?? 0) - 30_000)).toBeLessThan(600);
    expect(Math.abs((counts.thanks ?? 0) - 5_000)).toBeLessThan(600);
    expect(Math.min(...amounts)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...amounts)).toBeLessThanOrEqual(2000);
  });

  it('double11-red-packet-rain: once big packets run out, their share goes to the thanks fallback', () => {
    const campaign = exampleCampaign('double11-red-packet-rain');
    const random = seededRandom('rain-out');
    const now = at('2026-11-11T20:00:00+08:00');
    const counts = tally(
      () => decide(campaign, 'new-users', availabilityWith({ stockLeft: { 'rp-big': 0 } }), random, now),
      20_000,
    );
    expect(counts['rp-big']).toBeUndefined();
    expect(Math.abs((counts.thanks ?? 0) - 8_000)).toBeLessThan(400);
  });

  it('new-user-coupon-pack: a drawn coupon that is out of stock gives the free-shipping fallback', () => {
    const campaign = exampleCampaign('new-user-coupon-pack');
    const random = seededRandom('pack');
    const now = at('2026-11-15T12:00:00+08:00');
    const counts = tally(
      () =>
        decide(
          campaign,
          'new-female-18-25',
          availabilityWith({ stockLeft: { 'coupon-20-off-100': 0 } }),
          random,
          now,
        ),
      20_000,
    );
    expect(counts.out_of_stock).toBeUndefined();
    expect(counts['coupon-20-off-100']).toBeUndefined();
    expect(Math.abs((counts['coupon-free-shipping'] ?? 0) - 12_000)).toBeLessThan(500);
    expect(Math.abs((counts['coupon-10-off-50'] ?? 0) - 8_000)).toBeLessThan(500);
  });

  it('city-voucher-drive (efficiency): each segment gets its best voucher per unit of cost', () => {
    const campaign = exampleCampaign('city-voucher-drive');
    const now = at('2026-11-27T12:00:00+08:00');
    const cost = (id: string) => {
      const reward = campaign.rewards.find((r) => r.id === id);
      return reward && 'cost' in reward ? reward.cost : NaN;
    };
    for (const segment of campaign.segments) {
      const c = decide(campaign, segment.id, availabilityWith(), seededRandom('v'), now);
      const ratios = segment.rewards.map((r) => (r.score ?? 1) / cost(r.reward));
      const expected = segment.rewards[ratios.indexOf(Math.max(...ratios))]?.reward;
      expect(c.kind === 'reward' && c.reward.id).toBe(expected);
    }
    expect(rewardIdOf(decide(campaign, 'young-women', availabilityWith(), seededRandom('v'), now))).toBe(
      'beauty-voucher-30', // 3.2 / 900 > 0.7 / 250
    );
  });

  it('city-voucher-drive: pacing moves an early rush from the dear voucher to the cheap one, then to thanks', () => {
    const campaign = exampleCampaign('city-voucher-drive');
    const now = at('2026-11-20T00:10:00+08:00'); // ten minutes into the window: the daily line is ~5,083
    const young = segmentOf(campaign, 0);
    const pick = (dailySpent: number) => {
      const c = chooseReward({
        campaign,
        segment: young,
        availability: availabilityWith({ spent: dailySpent, dailySpent }),
        now,
        random: seededRandom('p'),
      });
      return rewardIdOf(c);
    };
    expect(pick(4_000)).toBe('beauty-voucher-30');
    expect(pick(4_500)).toBe('dining-voucher-10');
    expect(pick(4_900)).toBe('thanks');
  });
});
