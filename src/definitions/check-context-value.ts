import { CONTEXT_KEYS } from '../rules/context-shape';
import { validateContext } from './schema-validator';

/** Operators that compare numbers: every context attribute is text, so they never match one. */
const ON_NUMBERS = new Set([
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'between',
]);
/** Operators that read a list fact: every context attribute is a single value. */
const ON_A_LIST = new Set(['contains', 'doesNotContain', 'containsAny']);

/**
 * Why a literal `value` can never be compared with the context attribute a condition reads, or undefined. The
 * context is the participation API's request context (and the ip), each attribute a text held to its definition
 * there (schemas/participation-request.schema.json), so `platform equal nokia`, `channel equal App` or
 * `channel lessThan 3` is a condition no request can make true (or, negated, false). Decorators other than `not`
 * change what is compared, so such conditions are not judged. The operator and path are already known valid.
 */
export function contextValueMessage(
  node: Record<string, unknown>,
  operator: string,
  value: unknown,
): string | undefined {
  const { fact, path } = node;
  if (fact !== 'context' || typeof path !== 'string') return undefined;
  const key = path.startsWith('$.') ? path.slice(2) : path;
  if (!CONTEXT_KEYS.includes(key)) return undefined;
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  if (parts.some((d) => d !== 'not')) return undefined;
  const name = `context.${key}`;
  if (ON_NUMBERS.has(base))
    return `operator "${base}" compares numbers and ${name} is text, so it never matches; use equal, in or startsWith`;
  if (ON_A_LIST.has(base))
    return `operator "${base}" reads a list and ${name} is one text value, so it never matches; use equal, in or startsWith`;
  const literals =
    base === 'equal' || base === 'notEqual'
      ? [value]
      : (base === 'in' || base === 'notIn') && Array.isArray(value)
        ? (value as unknown[])
        : [];
  for (const literal of literals) {
    const problem = validateContext({ [key]: literal })[0];
    if (problem !== undefined)
      return `no request can send this ${name}: the participation API's ${key} ${problem.message}`;
  }
  return undefined;
}
