import type { RewardDefinition, RewardType } from '../definitions/campaign-types';

/** The business "no" when no reward can be given. */
export type UnavailableOutcome = 'out_of_stock' | 'budget_exhausted';

/**
 * Why a candidate was unavailable. `paced` counts as budget_exhausted in the outcome; `excluded` (a reward the
 * caller excluded without saying why) counts as budget_exhausted too, since only a proven stock failure
 * makes the answer out_of_stock.
 */
export type UnavailableReason = 'out_of_stock' | 'budget_exhausted' | 'paced' | 'excluded';

/** One reward the decision looked at, for decision traces. JSON-safe: no Infinity, no NaN. */
export interface CandidateTrace {
  rewardId: string;
  type: RewardType;
  /** `segment`: listed in the matched segment; `fallback`: the campaign's `decision.fallback`, not in the segment. */
  role: 'segment' | 'fallback';
  /** The segment weight; 0 for a fallback outside the segment. */
  weight: number;
  score: number;
  scoreSource: 'recommendation' | 'yaml' | 'default';
  expectedCharge: number;
  /** score / expectedCharge; null when the reward charges nothing. */
  efficiency: number | null;
  /** null when unlimited. */
  stockLeft: number | null;
  available: boolean;
  reason?: UnavailableReason;
  /** Set when the caller excluded this reward (a lost reserve race). */
  excluded?: true;
  /** The weighted draw landed on it, or the efficiency ranking picked it. */
  selected: boolean;
}

export type Choice =
  | {
      kind: 'reward';
      reward: RewardDefinition;
      amount: number;
      charge: number;
      /** `strategy`: the strategy's own pick; `fallback`: `decision.fallback`, given because the pick was unavailable. */
      source: 'strategy' | 'fallback';
      candidates: CandidateTrace[];
      /** The uniform [0, 1) number the weighted draw used. */
      draw?: number;
    }
  | {
      kind: 'unavailable';
      outcome: UnavailableOutcome;
      candidates: CandidateTrace[];
      draw?: number;
    };
