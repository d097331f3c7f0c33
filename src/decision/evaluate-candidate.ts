import type { RewardDefinition, SegmentReward } from '../definitions/campaign-types';
import { stockLeftOf, type Availability } from './availability';
import { affordable, expectedCharge } from './charge';
import type { CandidateTrace, UnavailableOutcome, UnavailableReason } from './choice';
import { isPaced, type PacingAllowance } from './pacing';

/** Rewards to treat as unavailable; a Map also says why (what the failed reserve reported). */
export type RewardExclusions = ReadonlySet<string> | ReadonlyMap<string, UnavailableOutcome>;

export interface CandidateContext {
  availability: Availability;
  /** min(total left, daily left). */
  spendable: number;
  exclude: RewardExclusions | undefined;
  scores: Readonly<Record<string, number>> | undefined;
  /** Set for the efficiency strategy only. */
  allowance: PacingAllowance | undefined;
}

export interface Candidate {
  reward: RewardDefinition;
  trace: CandidateTrace;
  /** score / expected charge, ±Infinity for a reward that charges nothing (0 with a zero score). */
  rank: number;
}

function exclusionReason(exclude: RewardExclusions | undefined, id: string): UnavailableReason | undefined {
  if (!exclude?.has(id)) return undefined;
  return 'get' in exclude ? (exclude.get(id) ?? 'excluded') : 'excluded';
}

function unavailableReason(
  reward: RewardDefinition,
  charge: number,
  ctx: CandidateContext,
): UnavailableReason | undefined {
  if (reward.type === 'none') return undefined; // a consolation has no stock and costs nothing
  if (stockLeftOf(ctx.availability, reward.id) <= 0) return 'out_of_stock';
  if (!affordable(reward, ctx.spendable)) return 'budget_exhausted';
  if (ctx.allowance && isPaced(charge, ctx.availability, ctx.allowance)) return 'paced';
  return undefined;
}

function scoreOf(
  reward: RewardDefinition,
  entry: SegmentReward | undefined,
  scores: CandidateContext['scores'],
): Pick<CandidateTrace, 'score' | 'scoreSource'> {
  const recommended = scores?.[reward.id];
  if (typeof recommended === 'number' && Number.isFinite(recommended)) {
    return { score: recommended, scoreSource: 'recommendation' };
  }
  if (entry?.score !== undefined) return { score: entry.score, scoreSource: 'yaml' };
  return { score: 1, scoreSource: 'default' };
}

/** Evaluates one reward against stock, budget, pacing and exclusions. `entry` is absent for a fallback outside the segment. */
export function evaluateCandidate(
  reward: RewardDefinition,
  entry: SegmentReward | undefined,
  ctx: CandidateContext,
): Candidate {
  const charge = expectedCharge(reward);
  const { score, scoreSource } = scoreOf(reward, entry, ctx.scores);
  const excludedReason = exclusionReason(ctx.exclude, reward.id);
  const reason = excludedReason ?? unavailableReason(reward, charge, ctx);
  const stock = reward.type === 'none' ? Infinity : stockLeftOf(ctx.availability, reward.id);
  const trace: CandidateTrace = {
    rewardId: reward.id,
    type: reward.type,
    role: entry ? 'segment' : 'fallback',
    weight: entry?.weight ?? 0,
    score,
    scoreSource,
    expectedCharge: charge,
    efficiency: charge > 0 ? score / charge : null,
    stockLeft: Number.isFinite(stock) ? stock : null,
    available: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
    ...(excludedReason === undefined ? {} : { excluded: true as const }),
    selected: false,
  };
  const rank = charge > 0 ? score / charge : score > 0 ? Infinity : score < 0 ? -Infinity : 0;
  return { reward, trace, rank };
}
