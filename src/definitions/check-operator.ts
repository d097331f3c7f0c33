import { OPERATOR_DECORATORS, OPERATORS } from '../rules/vocabulary';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';

const DECORATORS: readonly string[] = OPERATOR_DECORATORS;
/** Decorators that change what `value` holds, so the base operator's value checks do not apply. */
const VALUE_DECORATORS: readonly string[] = ['everyValue', 'someValue', 'swap'];

/**
 * Operators as other languages and query tools spell them, by lower-case name: the nearest spelling of `>=` is
 * `in` (two edits), which was the suggestion before.
 */
const FAMILIAR: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    equal: ['=', '==', '===', 'eq'],
    notEqual: ['!=', '!==', '<>', 'ne', 'neq'],
    greaterThan: ['>', 'gt'],
    greaterThanInclusive: [
      '>=',
      '=>',
      '≥',
      'gte',
      'ge',
      'greaterthanorequal',
      'greaterthanequals',
      'greaterorequal',
    ],
    lessThan: ['<', 'lt'],
    lessThanInclusive: ['<=', '=<', '≤', 'lte', 'le', 'lessthanorequal', 'lessthanequals', 'lessorequal'],
    notIn: ['nin', 'not in'],
    doesNotContain: ['notcontains', 'not contains'],
  }).flatMap(([operator, spellings]) => spellings.map((s) => [s, operator])),
);

/** Why an operator name is not known, or undefined when it is (`decorator:…:operator`). */
export function unknownOperatorMessage(operator: string): string | undefined {
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  const decorator = parts.find((d) => !DECORATORS.includes(d));
  if (decorator !== undefined) {
    return `unknown operator decorator "${decorator}" in "${operator}"${didYouMean(decorator, DECORATORS)}; allowed: ${DECORATORS.join(', ')}`;
  }
  if (OPERATORS.includes(base)) return undefined;
  const familiar = FAMILIAR[base.trim().toLowerCase()];
  if (familiar !== undefined) return `unknown operator "${base}": write ${familiar}`;
  const hint = didYouMean(base, OPERATORS);
  return `unknown operator "${base}"${hint || `; allowed: ${OPERATORS.join(', ')}`}`;
}

/** A hint when a number was quoted in YAML (`"7"`): the comparison would then never match. */
export function unquote(value: unknown): string {
  const quoted = (Array.isArray(value) ? value : [value]).some(
    (v) => typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)),
  );
  return quoted ? '; write numbers without quotes' : '';
}

/**
 * A null value, like a missing fact, makes every operator false (README, Rules, "Missing"): `notEqual null`, an
 * operator's "has a gender", was false for everyone and passed validate. The last word on a value: a message
 * of the operator's or the fact's (a count needs a number) says more.
 */
export function nullValueMessage(value: unknown): string | undefined {
  return value === null
    ? 'value null never matches: a condition on a missing (null) value is false for every operator; to require that the field is set, write operator: notIn, value: []'
    : undefined;
}

/** Why `value` does not fit the (known) operator, or undefined when it does or cannot be judged. */
export function operatorValueMessage(operator: string, value: unknown): string | undefined {
  const parts = operator.split(':');
  const base = parts.pop() ?? '';
  if (parts.some((d) => VALUE_DECORATORS.includes(d))) return undefined;
  const got = describeValue(value);
  // Undecorated only: `not:in []` is true for every value (the "is set" of notIn), `everyFact:in []` for none.
  if (
    parts.length === 0 &&
    (base === 'in' || base === 'containsAny') &&
    Array.isArray(value) &&
    value.length === 0
  ) {
    return `operator "${base}" with an empty list never matches; list the values it should match`;
  }
  switch (base) {
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2)
        return `operator "between" needs [low, high] (got ${got})`;
      const [low, high] = value as unknown[];
      // The operator compares numbers only (src/rules/operators.ts): anything else would never match.
      if (typeof low !== 'number' || typeof high !== 'number')
        return `operator "between" needs two numbers (got ${got})${unquote(value)}`;
      return low <= high ? undefined : `low must not be greater than high (got ${got})`;
    }
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive':
      return typeof value === 'number'
        ? undefined
        : `operator "${base}" compares numbers: needs a number (got ${got})${unquote(value)}`;
    case 'in':
    case 'notIn':
    case 'containsAny':
      return Array.isArray(value) ? undefined : `operator "${base}" needs a list of values (got ${got})`;
    case 'startsWith':
      return typeof value === 'string' ? undefined : `operator "startsWith" needs a string (got ${got})`;
    default:
      return undefined;
  }
}
