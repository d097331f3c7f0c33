import { FACTS, isPlainPath } from '../rules/vocabulary';
import type { RuleDefinition } from './campaign-types';
import { contextValueMessage } from './check-context-value';
import { checkContradiction } from './check-contradiction';
import { checkFactPath } from './check-fact-path';
import { historyValueMessage } from './check-history-value';
import { nullValueMessage, operatorValueMessage, unknownOperatorMessage } from './check-operator';
import { conditionLeaves, isFactReference } from './condition-leaves';
import { error, Finding } from './finding';
import type { DocPath } from './finding';

type Node = Record<string, unknown>;

function checkFactAndPath(node: Node, at: DocPath): Finding[] {
  const findings: Finding[] = [];
  const { fact, path } = node;
  if (typeof fact === 'string' && !(FACTS as readonly string[]).includes(fact)) {
    findings.push(error([...at, 'fact'], `unknown fact "${fact}"; allowed: ${FACTS.join(', ')}`));
  } else if (typeof fact !== 'string') {
    findings.push(error([...at, 'fact'], `must be a fact name: ${FACTS.join(', ')}`));
  }
  if (path !== undefined && (typeof path !== 'string' || !isPlainPath(path))) {
    const message = `path ${JSON.stringify(path)} is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)`;
    findings.push(error([...at, 'path'], message));
  } else if (typeof fact === 'string') {
    findings.push(...checkFactPath(fact, path, at));
  }
  return findings;
}

function checkLeaf(node: Node, at: DocPath): Finding[] {
  const findings = checkFactAndPath(node, at);
  if (typeof node['operator'] !== 'string') return findings;
  const operator = node['operator'];
  const unknown = unknownOperatorMessage(operator);
  if (unknown) return [...findings, error([...at, 'operator'], unknown)];
  const value = node['value'];
  if (isFactReference(value)) return [...findings, ...checkFactAndPath(value, [...at, 'value'])];
  const problem =
    operatorValueMessage(operator, value) ??
    (findings.length === 0
      ? (historyValueMessage(node, operator, value) ?? contextValueMessage(node, operator, value))
      : undefined) ??
    nullValueMessage(value);
  return problem ? [...findings, error([...at, 'value'], problem)] : findings;
}

/**
 * Checks one rule's condition tree at every depth (all / any / not): facts from the allowlist, plain dotted
 * paths that a fact can have (a path on profile and context, one of the closed shape on history), known
 * operators and decorators, values that fit the operator (and the history count or the context attribute), and
 * fact comparisons (`value: { fact, path }`). `at` is the rule's path in its file, e.g. `['rules', 2]`.
 */
export function checkRuleConditions(rule: RuleDefinition, at: DocPath): Finding[] {
  const leaves = conditionLeaves(rule.conditions, [...at, 'conditions']).flatMap((leaf) =>
    checkLeaf(leaf.node, leaf.at),
  );
  return [...leaves, ...checkContradiction(rule.conditions, [...at, 'conditions'])];
}
