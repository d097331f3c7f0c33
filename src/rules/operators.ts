import type { Engine } from 'json-rules-engine';

/**
 * pocket's operators and operator decorators, registered on every compiled engine in place of
 * json-rules-engine's defaults (engine-default-operators.js, engine-default-operator-decorators.js).
 *
 * DESIGN.md: "A condition whose fact or path is missing is false, for every operator, notEqual and notIn
 * included." Missing means `undefined` or `null`, on either side: a fact-comparison value
 * (`value: { fact, path }`) that resolves to nothing is missing too. Every operator and every decorator
 * checks this at its own level, so `not:equal`, `swap:in` or `everyFact:notEqual` on a missing fact are
 * false as well. A type mismatch (a string where a number is expected, a non-array where an array is
 * expected) is false and never throws. Otherwise the semantics are json-rules-engine's.
 */

export type OperatorEvaluator = (factValue: unknown, value: unknown) => boolean;
export type DecoratorEvaluator = (factValue: unknown, value: unknown, next: OperatorEvaluator) => boolean;

function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

function presentOnly(evaluate: OperatorEvaluator): OperatorEvaluator {
  return (factValue, value) => !isMissing(factValue) && !isMissing(value) && evaluate(factValue, value);
}

function numeric(compare: (a: number, b: number) => boolean): OperatorEvaluator {
  return (factValue, value) => isNumber(factValue) && isNumber(value) && compare(factValue, value);
}

/** json-rules-engine's built-in operators, missing-aware and type-strict. */
const builtins: Record<string, OperatorEvaluator> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => Array.isArray(b) && b.indexOf(a) > -1,
  notIn: (a, b) => Array.isArray(b) && b.indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: numeric((a, b) => a < b),
  lessThanInclusive: numeric((a, b) => a <= b),
  greaterThan: numeric((a, b) => a > b),
  greaterThanInclusive: numeric((a, b) => a >= b),
};

/** pocket's own operators (`notIn` is already above, missing-aware). */
const pocketOperators: Record<string, OperatorEvaluator> = {
  /** `value: [low, high]`, inclusive, numbers only. */
  between: (a, b) =>
    isNumber(a) &&
    Array.isArray(b) &&
    b.length === 2 &&
    isNumber(b[0]) &&
    isNumber(b[1]) &&
    b[0] <= a &&
    a <= b[1],
  /** The fact array and the value array share at least one (present) element. */
  containsAny: (a, b) =>
    Array.isArray(a) && Array.isArray(b) && a.some((x) => !isMissing(x) && b.indexOf(x) > -1),
  startsWith: (a, b) => typeof a === 'string' && typeof b === 'string' && a.startsWith(b),
};

export const OPERATOR_EVALUATORS: Readonly<Record<string, OperatorEvaluator>> = Object.fromEntries(
  Object.entries({ ...builtins, ...pocketOperators }).map(([name, evaluate]) => [
    name,
    presentOnly(evaluate),
  ]),
);

/** json-rules-engine's decorators, with the missing check (and array checks) at the decorator's own level. */
const decorators: Record<string, DecoratorEvaluator> = {
  someFact: (a, b, next) => Array.isArray(a) && a.some((x) => next(x, b)),
  everyFact: (a, b, next) => Array.isArray(a) && a.every((x) => next(x, b)),
  someValue: (a, b, next) => Array.isArray(b) && b.some((y) => next(a, y)),
  everyValue: (a, b, next) => Array.isArray(b) && b.every((y) => next(a, y)),
  swap: (a, b, next) => next(b, a),
  not: (a, b, next) => !next(a, b),
};

export const DECORATOR_EVALUATORS: Readonly<Record<string, DecoratorEvaluator>> = Object.fromEntries(
  Object.entries(decorators).map(([name, decorate]) => [
    name,
    (a: unknown, b: unknown, next: OperatorEvaluator) =>
      !isMissing(a) && !isMissing(b) && decorate(a, b, next),
  ]),
);

/** Replaces the engine's default operators and decorators with pocket's. Call before adding rules. */
export function registerPocketOperators(engine: Engine): void {
  for (const [name, evaluate] of Object.entries(OPERATOR_EVALUATORS)) engine.addOperator(name, evaluate);
  for (const [name, decorate] of Object.entries(DECORATOR_EVALUATORS))
    engine.addOperatorDecorator(name, decorate);
}

/**
 * Evaluates an operator with its decorators (`someFact:not:equal` is someFact(not(equal))) through the same
 * evaluators the engine is given, for what-if checks outside the engine (explain's hints).
 */
export function evaluateOperator(operator: string, factValue: unknown, value: unknown): boolean {
  const parts = operator.split(':');
  const base = OPERATOR_EVALUATORS[parts.pop() ?? ''];
  if (base === undefined) return false;
  const evaluate = parts.reduceRight<OperatorEvaluator>((next, name) => {
    const decorate = DECORATOR_EVALUATORS[name];
    return decorate === undefined ? () => false : (a, b) => decorate(a, b, next);
  }, base);
  return evaluate(factValue, value);
}
