import {
  availabilityFromUsage,
  unlimitedAvailability,
  type Availability,
} from '../../../src/decision/availability';
import { seededRandom, type Random } from '../../../src/decision/random';
import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import { evaluateParticipant, possibleRewards } from '../../../src/simulation/evaluate-participant';
import { campaign, compiled, coupon, redPacket, THANKS, user, voucher } from './simulation-fixtures';

const NOW = new Date('2026-11-21T12:00:00+08:00');

async function possible(
  definition: CampaignDefinition,
  availability: Availability,
  random: Random = seededRandom('possible'),
): Promise<{ rewards: string[]; outcome: string; picked: string | null }> {
  const evaluation = await evaluateParticipant({
    compiled: compiled(definition),
    user: user('u1'),
    now: NOW,
    availability,
    random,
  });
  return {
    rewards: possibleRewards(evaluation, definition.decision),
    outcome: evaluation.outcome,
    picked: evaluation.choice?.kind === 'reward' ? evaluation.choice.reward.id : null,
  };
}

const used = (definition: CampaignDefinition, granted: Record<string, number>): Availability =>
  availabilityFromUsage(definition, { granted, spent: 0, dailySpent: 0 });

describe('possibleRewards, weighted', () => {
  const rain = campaign({
    rewards: [redPacket('big', 500, 2000, 10), redPacket('small', 50, 200, 100), THANKS],
    segments: [
      {
        id: 'everyone',
        rewards: [
          { reward: 'big', weight: 30 },
          { reward: 'small', weight: 60 },
        ],
      },
    ],
    decision: { strategy: 'weighted', fallback: 'thanks' },
  });

  it('is every segment reward while all are available, whatever the draw', async () => {
    for (const u of [0, 0.2, 0.5, 0.99]) {
      const result = await possible(rain, unlimitedAvailability(), () => u);
      expect(result.rewards).toEqual(['big', 'small']);
    }
  });

  it('swaps an unavailable reward for the fallback, whatever the draw', async () => {
    const availability = used(rain, { big: 10 });
    const drawnBig = await possible(rain, availability, () => 0.1);
    expect(drawnBig.picked).toBe('thanks');
    expect(drawnBig.rewards).toEqual(['small', 'thanks']);
    const drawnSmall = await possible(rain, availability, () => 0.9);
    expect(drawnSmall.picked).toBe('small');
    expect(drawnSmall.rewards).toEqual(['small', 'thanks']);
  });

  it('lists the fallback once when it is also a segment reward', async () => {
    const withThanks = campaign({
      ...rain,
      segments: [
        {
          id: 'everyone',
          rewards: [
            { reward: 'big', weight: 30 },
            { reward: 'thanks', weight: 10 },
          ],
        },
      ],
    });
    const result = await possible(withThanks, used(withThanks, { big: 10 }), () => 0.9);
    expect(result.rewards).toEqual(['thanks']);
  });

  it('does not offer a fallback that is itself unavailable', async () => {
    const pack = campaign({
      rewards: [coupon('c10', 320, 5), coupon('free-shipping', 150, 5)],
      segments: [
        {
          id: 'everyone',
          rewards: [
            { reward: 'c10', weight: 50 },
            { reward: 'free-shipping', weight: 50 },
          ],
        },
      ],
      decision: { strategy: 'weighted', fallback: 'free-shipping' },
    });
    const result = await possible(pack, used(pack, { 'free-shipping': 5 }), () => 0.1);
    expect(result.picked).toBe('c10');
    expect(result.rewards).toEqual(['c10']);
  });

  it('has no fallback to offer without decision.fallback', async () => {
    const noFallback = campaign({ ...rain, decision: { strategy: 'weighted' } });
    const result = await possible(noFallback, used(noFallback, { big: 10 }), () => 0.9);
    expect(result.rewards).toEqual(['small']);
  });

  it('is empty when nothing is given', async () => {
    const noFallback = campaign({ ...rain, decision: { strategy: 'weighted' } });
    const result = await possible(noFallback, used(noFallback, { big: 10 }), () => 0.1);
    expect(result.outcome).toBe('out_of_stock');
    expect(result.rewards).toEqual([]);
  });
});

describe('possibleRewards, efficiency', () => {
  const drive = campaign({
    rewards: [voucher('beauty', 900, 10), voucher('dining', 250, 10), THANKS],
    segments: [
      {
        id: 'everyone',
        rewards: [
          { reward: 'beauty', weight: 1, score: 3.2 },
          { reward: 'dining', weight: 1, score: 0.7 },
        ],
      },
    ],
    decision: { strategy: 'efficiency', fallback: 'thanks' },
  });

  it('is the one pick with the best score per cost', async () => {
    expect((await possible(drive, unlimitedAvailability())).rewards).toEqual(['beauty']);
  });

  it('moves to the next best when the best is gone, then to the fallback', async () => {
    expect((await possible(drive, used(drive, { beauty: 10 }))).rewards).toEqual(['dining']);
    expect((await possible(drive, used(drive, { beauty: 10, dining: 10 }))).rewards).toEqual(['thanks']);
  });
});
