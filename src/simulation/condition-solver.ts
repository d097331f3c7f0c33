/**
 * Pure: proposes profile/context values that satisfy (or, negated, falsify) a rule's condition tree, for
 * `pocket testers generate`. A proposal is only a guess: the caller checks it with the compiled campaign's
 * own `matchSegment`, so an operator this solver does not understand can never produce a wrong tester, only
 * a few more attempts. `history` facts are never assigned: a new tester has no history.
 */
import type { Condition, LeafCondition } from '../definitions/campaign-types';
import { randomInt, type Random } from '../decision/random';

/** One value to set: `fact` is profile or context, `path` a plain dotted path. */
export interface Assignment {
  fact: 'profile' | 'context';
  path: string;
  value: unknown;
}

/** Values the rules mention for one path; used to pick a value that is *not* a listed one. */
export type KnownValues = ReadonlyMap<string, readonly unknown[]>;

const COMPLEMENT: Readonly<Record<string, string>> = {
  equal: 'notEqual',
  notEqual: 'equal',
  in: 'notIn',
  notIn: 'in',
  contains: 'doesNotContain',
  doesNotContain: 'contains',
  lessThan: 'greaterThanInclusive',
  greaterThanInclusive: 'lessThan',
  lessThanInclusive: 'greaterThan',
  greaterThan: 'lessThanInclusive',
  between: 'notBetween',
  containsAny: 'containsNone',
  startsWith: 'notStartsWith',
};

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function pick<T>(random: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}

function smallInt(random: Random, from: number, span: number): number {
  const base = Math.ceil(from);
  return randomInt(random, base, base + span);
}

/** A value different from every one in `avoid`: another value the rules mention, else a fresh one. */
function other(random: Random, avoid: readonly unknown[], known: readonly unknown[]): unknown {
  const candidates = known.filter((k) => !avoid.includes(k));
  const chosen = pick(random, candidates);
  if (chosen !== undefined) return chosen;
  if (avoid.length > 0 && avoid.every(isNumber)) return Math.max(...avoid) + smallInt(random, 1, 9);
  return avoid.includes('other') ? `other-${randomInt(random, 1, 999)}` : 'other';
}

/** A fact value making `operator` true against `value`; undefined when this solver cannot say. */
function valueFor(operator: string, value: unknown, random: Random, known: readonly unknown[]): unknown {
  const list = Array.isArray(value) ? value : [];
  switch (operator) {
    case 'equal':
      return value;
    case 'notEqual':
      return other(random, [value], known);
    case 'in':
      return pick(random, list);
    case 'notIn':
      return other(random, list, known);
    case 'contains':
      return [value];
    case 'doesNotContain':
      return [other(random, [value], known)];
    case 'containsAny':
      return list.length === 0 ? undefined : [pick(random, list)];
    case 'containsNone':
      return [other(random, list, known)];
    case 'startsWith':
      return typeof value === 'string' ? `${value}${randomInt(random, 0, 99)}` : undefined;
    case 'notStartsWith':
      return typeof value === 'string' ? `x${value}` : undefined;
    default:
      return numericValueFor(operator, value, random);
  }
}

function numericValueFor(operator: string, value: unknown, random: Random): unknown {
  if (operator === 'between' || operator === 'notBetween') {
    const [lo, hi] = Array.isArray(value) ? value : [];
    if (!isNumber(lo) || !isNumber(hi) || lo > hi) return undefined;
    if (operator === 'notBetween')
      return random() < 0.5 && lo >= 1 ? lo - smallInt(random, 1, 4) : hi + smallInt(random, 1, 9);
    return Number.isInteger(lo) && Number.isInteger(hi) ? randomInt(random, lo, hi) : lo;
  }
  if (!isNumber(value)) return undefined;
  switch (operator) {
    case 'lessThan':
      return value > 0
        ? randomInt(random, 0, Math.ceil(value) - 1)
        : Math.ceil(value) - smallInt(random, 1, 9);
    case 'lessThanInclusive':
      return value >= 0
        ? randomInt(random, 0, Math.floor(value))
        : Math.floor(value) - smallInt(random, 0, 9);
    case 'greaterThan':
      return Math.floor(value) + smallInt(random, 1, 9);
    case 'greaterThanInclusive':
      return Math.ceil(value) + smallInt(random, 0, 9);
    default:
      return undefined;
  }
}

function leafAssignment(
  leaf: LeafCondition,
  negate: boolean,
  random: Random,
  known: KnownValues,
): Assignment[] | null {
  if (leaf.fact !== 'profile' && leaf.fact !== 'context') return leaf.fact === 'history' ? [] : null;
  const path = (leaf.path ?? '').replace(/^\$\./, '');
  if (path === '' || (typeof leaf.value === 'object' && leaf.value !== null && 'fact' in leaf.value)) {
    return null;
  }
  const parts = leaf.operator.split(':');
  const base = parts.pop() ?? '';
  let flip = negate;
  let wrapInList = false;
  for (const decorator of parts) {
    if (decorator === 'not') flip = !flip;
    else if (decorator === 'someFact' || decorator === 'everyFact') wrapInList = true;
    else return null; // swap, someValue, everyValue: leave it to sampling
  }
  const operator = flip ? COMPLEMENT[base] : base;
  if (operator === undefined) return null;
  const value = valueFor(operator, leaf.value, random, known.get(`${leaf.fact}.${path}`) ?? []);
  if (value === undefined) return null;
  return [{ fact: leaf.fact, path, value: wrapInList ? [value] : value }];
}

/**
 * Values making `condition` true (or false with `negate`). `all` needs every child, `any` one child picked at
 * random; negated, the roles swap (De Morgan). null when some part is beyond this solver.
 */
export function solveCondition(
  condition: Condition,
  random: Random,
  known: KnownValues = new Map(),
  negate = false,
): Assignment[] | null {
  if ('not' in condition) return solveCondition(condition.not, random, known, !negate);
  const children = 'all' in condition ? condition.all : 'any' in condition ? condition.any : null;
  if (children === null) return leafAssignment(condition as LeafCondition, negate, random, known);
  const needsEvery = 'all' in condition !== negate;
  if (!needsEvery) {
    const child = pick(random, children);
    return child === undefined ? (negate ? [] : null) : solveCondition(child, random, known, negate);
  }
  const out: Assignment[] = [];
  for (const child of children) {
    const part = solveCondition(child, random, known, negate);
    if (part === null) return null;
    out.push(...part);
  }
  return out;
}
