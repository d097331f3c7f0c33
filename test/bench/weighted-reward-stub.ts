import type { SegmentDefinition } from '../../src/definitions/campaign-types';

/** A stand-in for the reward choice: a weighted pick among the segment's rewards. */
export function weightedRewardStub(segment: SegmentDefinition, random: () => number): string | null {
  const total = segment.rewards.reduce((sum, r) => sum + r.weight, 0);
  let point = random() * total;
  for (const r of segment.rewards) {
    point -= r.weight;
    if (point < 0) return r.reward;
  }
  return segment.rewards.at(-1)?.reward ?? null;
}
