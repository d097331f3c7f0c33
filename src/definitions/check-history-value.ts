import { historyPath } from '../rules/history-shape';
import { unquote } from './check-operator';
import { describeValue } from './describe-value';

/** Operators that can never match a number fact. */
const NEVER_ON_A_NUMBER = new Set(['contains', 'doesNotContain', 'containsAny', 'startsWith']);

/**
 * Why a literal `value` can never match the history count a condition reads, or undefined. Every history path
 * is a whole number, and the operators compare strictly (`"0"` never equals 0). Decorators other than `not`
 * change what is compared, so such conditions are not judged. The operator and path are already known valid.
 */
export function historyValueMessage(
  node: Record<string, unknown>,
  operator: string,
  value: unknown,
): string | undefined {
  const { fact, path } = node;
  if (fact !== 'history' || typeof path !== 'string' || historyPath(path).kind === 'invalid')
    return undefined;
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  if (parts.some((d) => d !== 'not')) return undefined;
  const name = `history.${path.replace(/^\$\./, '')}`;
  const got = describeValue(value);
  if (NEVER_ON_A_NUMBER.has(base))
    return `operator "${base}" never matches ${name}, a count (a number); use equal, in, between or a comparison`;
  if ((base === 'equal' || base === 'notEqual') && typeof value !== 'number')
    return `${name} is a count: needs a number (got ${got})${unquote(value)}`;
  if ((base === 'in' || base === 'notIn') && Array.isArray(value) && value.some((v) => typeof v !== 'number'))
    return `${name} is a count: needs a list of numbers (got ${got})${unquote(value)}`;
  return undefined;
}
