/**
 * The fine-grained decision trace of one participation: the facts used, every condition's result, the
 * candidate rewards and the random draw, the hot-state counters before and after, each step's time. A tester
 * gets it in the answer with `?trace=1` (campaign `observability.trace: testers`); `observability.log: fine`
 * logs it for everyone, without the facts of real users (their profile is personal data).
 */
import type { CandidateTrace } from '../../decision/choice';
import type { AvailabilitySnapshot } from '../../hot-state/hot-state';
import type { SegmentEvaluation } from '../../rules/compiled-campaign';
import type { Facts } from '../../rules/facts';
import type { PipelineStep } from './step-timer';

export interface CounterSnapshot {
  /** Slots in use per reward. */
  stockUsed: Record<string, number>;
  spent: number;
  dailySpent: number;
}

export interface DecisionTrace {
  campaignId: string;
  campaignVersion: number;
  businessDate: string;
  tester: boolean;
  /** null when the trace is logged for a real user: their facts are personal data. */
  facts: Facts | null;
  /** Every segment in order with every condition's result (first match wins). */
  segments: SegmentEvaluation[];
  /** The segment the decision used (a risk "soft" verdict uses a fallback outside any segment). */
  segment: string | null;
  fraud: Record<string, unknown> | null;
  /** One entry per reward choice (a lost reserve race chooses again). */
  choices: Array<{
    strategy: string;
    candidates: CandidateTrace[];
    /** The uniform [0, 1) number the weighted draw used; null for the efficiency strategy. */
    draw: number | null;
    picked: string | null;
    amount: number | null;
    charge: number | null;
    /** The reserve's answer for the pick: ok, or why the hot state refused it. */
    reserve: string | null;
  }>;
  counters: { before: CounterSnapshot | null; after: CounterSnapshot | null };
  /** Milliseconds per pipeline step. */
  steps: Partial<Record<PipelineStep, number>>;
}

export function counterSnapshot(a: AvailabilitySnapshot | null): CounterSnapshot | null {
  if (!a || !a.initialized) return null;
  return { stockUsed: { ...a.stockUsed }, spent: a.spent, dailySpent: a.dailySpent };
}

/** Without fact values: what `log: fine` writes for real users. */
export function withoutPersonalData(trace: DecisionTrace): DecisionTrace {
  return {
    ...trace,
    facts: null,
    segments: trace.segments.map((s) => ({
      ...s,
      conditions: s.conditions.map(({ factValue: _fact, resolvedValue: _resolved, ...rest }) => ({
        ...rest,
        factValue: undefined,
      })),
    })),
  };
}
