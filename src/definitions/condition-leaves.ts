import { isRecord } from '../shared/is-record';
import type { DocPath } from './finding';

type Node = Record<string, unknown>;

/** A leaf condition (`fact`, `operator`, …) and where it sits in its file. */
export interface LocatedLeaf {
  node: Node;
  at: DocPath;
}

/** `value: { fact, path }` compares with another fact instead of a literal. */
export function isFactReference(value: unknown): value is Node {
  return isRecord(value) && 'fact' in value;
}

/** Every leaf of a condition tree (all / any / not, at any depth), in written order. */
export function conditionLeaves(condition: unknown, at: DocPath): LocatedLeaf[] {
  if (!isRecord(condition)) return [];
  const leaves: LocatedLeaf[] = [];
  for (const key of ['all', 'any'] as const) {
    const list = condition[key];
    if (Array.isArray(list))
      list.forEach((child, i) => leaves.push(...conditionLeaves(child, [...at, key, i])));
  }
  if ('not' in condition) leaves.push(...conditionLeaves(condition['not'], [...at, 'not']));
  if ('fact' in condition || 'operator' in condition) leaves.push({ node: condition, at });
  return leaves;
}
