import { FACTS, isPlainPath } from '../rules/vocabulary';
import type { RuleDefinition } from './campaign-types';
import { operatorValueMessage, unknownOperatorMessage } from './check-operator';
import { error, Finding } from './finding';
import type { DocPath } from './finding';

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value: { fact, path }` compares with another fact instead of a literal. */
export function isFactReference(value: unknown): value is Node {
  return isNode(value) && 'fact' in value;
}

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
  const problem = operatorValueMessage(operator, value);
  return problem ? [...findings, error([...at, 'value'], problem)] : findings;
}

function checkCondition(node: unknown, at: DocPath): Finding[] {
  if (!isNode(node)) return [];
  const findings: Finding[] = [];
  for (const key of ['all', 'any'] as const) {
    const list = node[key];
    if (Array.isArray(list))
      list.forEach((child, i) => findings.push(...checkCondition(child, [...at, key, i])));
  }
  if ('not' in node) findings.push(...checkCondition(node['not'], [...at, 'not']));
  if ('fact' in node || 'operator' in node) findings.push(...checkLeaf(node, at));
  return findings;
}

/**
 * Checks one rule's condition tree at every depth (all / any / not): facts from the allowlist, plain dotted
 * paths, known operators and decorators, values that fit the operator, and fact comparisons
 * (`value: { fact, path }`). `at` is the rule's path in its file, e.g. `['rules', 2]`.
 */
export function checkRuleConditions(rule: RuleDefinition, at: DocPath): Finding[] {
  return checkCondition(rule.conditions, [...at, 'conditions']);
}
