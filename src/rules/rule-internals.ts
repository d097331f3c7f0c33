import type { Almanac, Engine, Rule } from 'json-rules-engine';

/**
 * The parts of json-rules-engine 7.3 that its typings leave out, behind one narrow cast:
 * - `Rule#evaluate(almanac)`: what `engine.run` calls for every rule; it evaluates every leaf on its own
 *   copy of the conditions and records each result there (pocket's `explain` reads them);
 * - `Rule#conditions`: the rule's compiled Condition tree, whose leaves have `evaluate(almanac, operators)`;
 * - `Engine#operators`: the engine's operator map, holding pocket's operators and decorators.
 */

/** A condition node after `Rule#evaluate`, as json-rules-engine records it on the RuleResult's copy. */
export interface EvaluatedCondition {
  all?: EvaluatedCondition[];
  any?: EvaluatedCondition[];
  not?: EvaluatedCondition;
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
  /** The fact value at `path`, as the operator saw it. */
  factResult?: unknown;
  /** The value the operator compared against (a fact comparison's resolved value). */
  valueResult?: unknown;
  result?: boolean;
}

export interface EvaluatedRule {
  result: boolean | null;
  conditions: EvaluatedCondition;
}

/** The engine's operator map: a name (decorators included, e.g. `not:equal`) to an operator, or null. */
export interface OperatorMap {
  get(name: string): object | null;
}

/** json-rules-engine's Condition instance. */
export interface EngineCondition {
  all?: EngineCondition[];
  any?: EngineCondition[];
  not?: EngineCondition;
  operator: string;
  evaluate(almanac: Almanac, operators: OperatorMap): Promise<{ result: unknown }>;
}

export interface RuleInternals {
  /** The rule's own Condition tree. Read it, never write it: it is shared by concurrent decisions. */
  conditions: EngineCondition;
  operators: OperatorMap;
  /** json-rules-engine's full evaluation of the rule (every leaf, results recorded on a private copy). */
  evaluate(almanac: Almanac): Promise<EvaluatedRule>;
}

interface RuleWithInternals {
  conditions: EngineCondition;
  evaluate(almanac: Almanac): Promise<EvaluatedRule>;
}

/** `rule` must have been added to `engine` (engine.addRule binds it). */
export function ruleInternals(rule: Rule, engine: Engine): RuleInternals {
  const internal = rule as unknown as RuleWithInternals;
  return {
    conditions: internal.conditions,
    operators: (engine as unknown as { operators: OperatorMap }).operators,
    evaluate: (almanac) => internal.evaluate(almanac),
  };
}
