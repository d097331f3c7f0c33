import type { Almanac } from 'json-rules-engine';
import type { EngineCondition, OperatorMap } from './rule-internals';

/** Whether a condition tree holds for one decision's Almanac. */
export type ConditionEvaluator = (almanac: Almanac) => Promise<boolean>;

/**
 * Turns a rule's json-rules-engine Condition tree into an evaluator that walks it in written order and stops
 * as soon as the result is known: `all` at the first false, `any` at the first true. Each leaf is evaluated
 * by json-rules-engine itself (`Condition#evaluate` with the engine's operators and the decision's Almanac),
 * so facts, paths, fact comparison and operators behave exactly as in `Rule#evaluate`; only the boolean
 * walk is pocket's, with json-rules-engine's results: `not` inverts its subtree, an empty `all` or `any`
 * is true, and a leaf passes only when its operator returns `true`.
 *
 * Unlike `Rule#evaluate` it neither deep-clones the condition tree nor emits events per evaluation, which
 * is where most of a decision's time went (see test/bench/rules-bench.ts). It never writes to the tree.
 */
export function compileCondition(node: EngineCondition, operators: OperatorMap): ConditionEvaluator {
  if (node.all !== undefined) {
    const children = node.all.map((child) => compileCondition(child, operators));
    return async (almanac) => {
      for (const child of children) if (!(await child(almanac))) return false;
      return true;
    };
  }
  if (node.any !== undefined) {
    const children = node.any.map((child) => compileCondition(child, operators));
    if (children.length === 0) return () => Promise.resolve(true);
    return async (almanac) => {
      for (const child of children) if (await child(almanac)) return true;
      return false;
    };
  }
  if (node.not !== undefined) {
    const child = compileCondition(node.not, operators);
    return async (almanac) => !(await child(almanac));
  }
  if (operators.get(node.operator) === null) throw new Error(`unknown operator "${node.operator}"`);
  return (almanac) => node.evaluate(almanac, operators).then(({ result }) => result === true);
}
