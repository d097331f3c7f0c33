import type { SegmentDefinition } from '../definitions/campaign-types';
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import type { Facts } from './facts';

/** One leaf condition's outcome, for `explain`, `pocket test` failures and traces. */
export interface ConditionResult {
  /** The rule id. */
  rule: string;
  /** Position in the rule's condition tree, e.g. `all[1]` or `any[0].not`. */
  path: string;
  fact: string;
  factPath?: string;
  operator: string;
  /** The condition's value as written (`{ fact, path }` for a fact comparison). */
  value: unknown;
  /** For a fact comparison: the value it resolved to. */
  resolvedValue?: unknown;
  /** The fact value at `factPath` that the operator saw (undefined when missing). */
  factValue: unknown;
  result: boolean;
}

export interface SegmentEvaluation {
  segment: string;
  /** The segment's `when`, or null for a catch-all segment. */
  rule: string | null;
  matched: boolean;
  conditions: ConditionResult[];
}

export interface Explanation {
  /** The first matching segment (first match wins), or null. */
  segment: string | null;
  /** Every segment, in order, evaluated in full. */
  segments: SegmentEvaluation[];
}

/** A resolved campaign's rules, compiled once into one json-rules-engine Engine and reused. */
export interface CompiledCampaign {
  resolved: ResolvedCampaign;
  /** Hot path: segments in order, stops at the first match. */
  matchSegment(facts: Facts): Promise<SegmentDefinition | null>;
  /** Evaluates every segment and records every leaf condition's result. */
  explain(facts: Facts): Promise<Explanation>;
}
