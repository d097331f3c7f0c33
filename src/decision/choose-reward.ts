import type { CampaignDefinition, SegmentDefinition } from '../definitions/campaign-types';
import { spendableBudget, type Availability } from './availability';
import { drawAmount } from './charge';
import type { CandidateTrace, Choice, UnavailableOutcome } from './choice';
import {
  evaluateCandidate,
  type Candidate,
  type CandidateContext,
  type RewardExclusions,
} from './evaluate-candidate';
import { pacingAllowance } from './pacing';
import { pickMostEfficient } from './pick-most-efficient';
import { pickWeighted } from './pick-weighted';
import type { Random } from './random';
import { rewardById } from './reward-by-id';

export interface ChooseRewardInput {
  campaign: CampaignDefinition;
  /** The matched segment (the rules compiler walks segments in order, first match wins). */
  segment: SegmentDefinition;
  availability: Availability;
  now: Date;
  random: Random;
  /** Rewards to treat as unavailable, e.g. after the atomic reserve lost a race and the service retries. */
  exclude?: RewardExclusions;
  /** Scores from the recommendation service by reward id; they override the YAML `score` (default 1). */
  scores?: Readonly<Record<string, number>>;
  /** The request's business date, when already computed (it must be the one keying the daily counters). */
  businessDate?: string;
  /**
   * The weighted draw this participation already made (a retry after a lost reserve race): it is used instead
   * of a new one, so the retry lands on the same reward and a lost race gives the fallback, as when the read
   * said so, never a second chance at the other rewards.
   */
  draw?: number;
}

/** out_of_stock only when every unavailable candidate that was considered failed on stock. */
function outcomeOf(considered: readonly CandidateTrace[]): UnavailableOutcome {
  return considered.every((t) => t.reason === 'out_of_stock') ? 'out_of_stock' : 'budget_exhausted';
}

/**
 * Chooses the reward for a user of `segment` (DESIGN.md Semantics, "Strategies" and "Unavailable rewards").
 *
 * weighted: one uniform draw picks a reward among ALL the segment's rewards in proportion to weight,
 *   available or not, so every reward keeps its published odds. If the drawn reward is unavailable, the user
 *   gets `decision.fallback` when it is available, otherwise the answer is out_of_stock / budget_exhausted.
 *   There is no re-draw and no pacing: a retry after a lost reserve race passes the first draw back in.
 * efficiency: the available non-consolation reward with the highest score / expected charge (ties: list
 *   order); pacing (see pacingAllowance) makes a reward running ahead of the budget line unavailable.
 *   Only when none is available: the segment's first consolation, then `decision.fallback`.
 * Either way, when nothing can be given the outcome is out_of_stock if every unavailable candidate
 * considered (the drawn reward or the whole segment, plus the fallback) failed on stock, else budget_exhausted.
 */
export function chooseReward(input: ChooseRewardInput): Choice {
  const { campaign, segment, availability, random } = input;
  const efficiency = campaign.decision.strategy === 'efficiency';
  const ctx: CandidateContext = {
    availability,
    spendable: spendableBudget(availability),
    exclude: input.exclude,
    scores: input.scores,
    allowance: efficiency ? pacingAllowance(campaign, input.now, input.businessDate) : undefined,
  };
  const candidates = segment.rewards.map((e) => evaluateCandidate(rewardById(campaign, e.reward), e, ctx));
  const traces = candidates.map((c) => c.trace);
  const withDraw = (draw: number | undefined) => (draw === undefined ? {} : { draw });

  const grant = (c: Candidate, source: 'strategy' | 'fallback', draw?: number): Choice => {
    const drawn = drawAmount(c.reward, random, ctx.spendable);
    if (!drawn) throw new Error(`reward ${c.reward.id} was available but cannot be paid for`);
    return { kind: 'reward', reward: c.reward, ...drawn, source, candidates: traces, ...withDraw(draw) };
  };

  const fallbackOr = (considered: CandidateTrace[], draw?: number): Choice => {
    const fallbackId = campaign.decision.fallback;
    if (fallbackId !== undefined) {
      let fallback = candidates.find((c) => c.reward.id === fallbackId);
      if (!fallback) {
        fallback = evaluateCandidate(rewardById(campaign, fallbackId), undefined, ctx);
        traces.push(fallback.trace);
      }
      if (fallback.trace.available) return grant(fallback, 'fallback', draw);
      if (!considered.includes(fallback.trace)) considered.push(fallback.trace);
    }
    return { kind: 'unavailable', outcome: outcomeOf(considered), candidates: traces, ...withDraw(draw) };
  };

  if (efficiency) {
    const best = pickMostEfficient(candidates);
    if (!best) return fallbackOr([...traces]);
    best.trace.selected = true;
    return grant(best, 'strategy');
  }

  if (candidates.length === 0) return fallbackOr([]);
  const u = input.draw ?? random();
  if (!(u >= 0 && u < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${u}`);
  const drawn =
    candidates[
      pickWeighted(
        traces.map((t) => t.weight),
        u,
      )
    ];
  if (!drawn) throw new Error('weighted draw fell outside the candidates');
  drawn.trace.selected = true;
  return drawn.trace.available ? grant(drawn, 'strategy', u) : fallbackOr([drawn.trace], u);
}
