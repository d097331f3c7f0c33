/**
 * What a rule may name. The loader refuses anything else at load time, with file:line:col;
 * the compiler relies on it at runtime.
 */

/** Facts come only from this allowlist (DESIGN.md "Facts"). */
export const FACTS = ['profile', 'context', 'history'] as const;
export type FactName = (typeof FACTS)[number];

/** json-rules-engine's built-in operators. */
export const BUILTIN_OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;

/** pocket's own operators. `notIn` overrides the built-in so that a missing fact is false. */
export const POCKET_OPERATORS = ['between', 'notIn', 'containsAny', 'startsWith'] as const;

/** json-rules-engine operator decorators, written `decorator:operator`, and chainable. */
export const OPERATOR_DECORATORS = [
  'everyFact',
  'someFact',
  'everyValue',
  'someValue',
  'not',
  'swap',
] as const;

export const OPERATORS: readonly string[] = [...new Set<string>([...BUILTIN_OPERATORS, ...POCKET_OPERATORS])];

/**
 * A plain dotted path: identifiers or array indexes separated by dots, e.g. `address.city` or `tags.0`.
 * A leading `$.` is accepted for json-rules-engine familiarity and stripped. JSONPath filters (`?(`),
 * wildcards, recursive descent and scripts are refused.
 */
const PLAIN_PATH = /^(\$\.)?[A-Za-z_][A-Za-z0-9_-]*(\.([A-Za-z_][A-Za-z0-9_-]*|[0-9]+))*$/;

/** Keys that must never be followed when resolving a path (prototype pollution and leaks). */
export const FORBIDDEN_PATH_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export function isKnownOperator(operator: string): boolean {
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  return (
    OPERATORS.includes(base) && parts.every((d) => (OPERATOR_DECORATORS as readonly string[]).includes(d))
  );
}

export function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !path.split('.').some((k) => FORBIDDEN_PATH_KEYS.has(k));
}
