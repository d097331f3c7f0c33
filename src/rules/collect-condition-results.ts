import { isFactReference } from '../definitions/condition-leaves';
import type { ConditionResult } from './compiled-campaign';
import type { EvaluatedCondition } from './rule-internals';

function leafResult(rule: string, path: string, node: EvaluatedCondition): ConditionResult {
  return {
    rule,
    path,
    fact: node.fact ?? '',
    ...(node.path === undefined ? {} : { factPath: node.path }),
    operator: node.operator ?? '',
    value: node.value,
    ...(isFactReference(node.value) ? { resolvedValue: node.valueResult } : {}),
    factValue: node.factResult,
    result: node.result === true,
  };
}

/** Flattens an evaluated condition tree into its leaves, in written order, each with its position. */
export function collectConditionResults(rule: string, root: EvaluatedCondition): ConditionResult[] {
  const results: ConditionResult[] = [];
  const visit = (node: EvaluatedCondition, path: string): void => {
    const at = (child: string): string => (path ? `${path}.${child}` : child);
    if (node.all) node.all.forEach((child, i) => visit(child, at(`all[${i}]`)));
    else if (node.any) node.any.forEach((child, i) => visit(child, at(`any[${i}]`)));
    else if (node.not) visit(node.not, at('not'));
    else results.push(leafResult(rule, path, node));
  };
  visit(root, '');
  return results;
}
