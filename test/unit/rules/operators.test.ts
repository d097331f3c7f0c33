import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts, type Facts } from '../../../src/rules/facts';
import { DECORATOR_EVALUATORS, OPERATOR_EVALUATORS } from '../../../src/rules/operators';
import {
  BUILTIN_OPERATORS,
  OPERATOR_DECORATORS,
  OPERATORS,
  POCKET_OPERATORS,
} from '../../../src/rules/vocabulary';
import { evaluateCondition, MISSING, profileWithX } from './evaluate-condition';
import { resolvedCampaign } from './resolved-campaign-fixture';

type Row = [operator: string, factValue: unknown, value: unknown, expected: boolean];

async function holds(operator: string, factValue: unknown, value: unknown): Promise<boolean> {
  return evaluateCondition({ fact: 'profile', path: 'x', operator, value }, profileWithX(factValue));
}

describe('operator registry', () => {
  it('replaces every json-rules-engine built-in and adds every pocket operator', () => {
    expect(Object.keys(OPERATOR_EVALUATORS).sort()).toEqual([...OPERATORS].sort());
    for (const name of [...BUILTIN_OPERATORS, ...POCKET_OPERATORS])
      expect(OPERATOR_EVALUATORS).toHaveProperty(name);
  });

  it('replaces every json-rules-engine operator decorator', () => {
    expect(Object.keys(DECORATOR_EVALUATORS).sort()).toEqual([...OPERATOR_DECORATORS].sort());
  });
});

describe('built-in operators (present facts keep json-rules-engine semantics; type mismatches are false)', () => {
  const rows: Row[] = [
    ['equal', 5, 5, true],
    ['equal', 'female', 'female', true],
    ['equal', 5, 6, false],
    ['equal', 5, '5', false],
    ['equal', false, false, true],
    ['notEqual', 5, 6, true],
    ['notEqual', 5, '5', true],
    ['notEqual', 5, 5, false],
    ['in', 'bj', ['bj', 'sh'], true],
    ['in', 'gz', ['bj', 'sh'], false],
    ['in', 'b', 'abc', false],
    ['notIn', 'gz', ['bj', 'sh'], true],
    ['notIn', 'bj', ['bj', 'sh'], false],
    ['notIn', 'z', 'abc', false],
    ['contains', ['kids', 'home'], 'kids', true],
    ['contains', ['kids'], 'home', false],
    ['contains', 'kids', 'k', false],
    ['doesNotContain', ['kids'], 'home', true],
    ['doesNotContain', ['kids', 'home'], 'home', false],
    ['doesNotContain', 'kids', 'z', false],
    ['lessThan', 5, 7, true],
    ['lessThan', 7, 7, false],
    ['lessThan', '5', 7, false],
    ['lessThan', 'abc', 7, false],
    ['lessThan', 5, '7', false],
    ['lessThanInclusive', 7, 7, true],
    ['lessThanInclusive', 8, 7, false],
    ['lessThanInclusive', '7', 7, false],
    ['greaterThan', 8, 7, true],
    ['greaterThan', 7, 7, false],
    ['greaterThan', '9', 7, false],
    ['greaterThanInclusive', 7, 7, true],
    ['greaterThanInclusive', 6, 7, false],
    ['greaterThanInclusive', true, 0, false],
  ];
  it.each(rows)('%s: fact %p, value %p → %p', async (operator, factValue, value, expected) => {
    await expect(holds(operator, factValue, value)).resolves.toBe(expected);
  });
});

describe("pocket's operators", () => {
  const rows: Row[] = [
    ['between', 18, [18, 25], true],
    ['between', 25, [18, 25], true],
    ['between', 21.5, [18, 25], true],
    ['between', 17, [18, 25], false],
    ['between', 26, [18, 25], false],
    ['between', '20', [18, 25], false],
    ['between', 20, [25, 18], false],
    ['between', 20, [18], false],
    ['between', 20, ['18', '25'], false],
    ['between', 20, 18, false],
    ['containsAny', ['kids', 'sports'], ['kids', 'home'], true],
    ['containsAny', ['sports'], ['kids', 'home'], false],
    ['containsAny', [], ['kids'], false],
    ['containsAny', [null], [null], false],
    ['containsAny', 'kids', ['kids'], false],
    ['containsAny', ['kids'], 'kids', false],
    ['startsWith', '8.1.0', '8.', true],
    ['startsWith', '7.9.0', '8.', false],
    ['startsWith', 81, '8', false],
    ['startsWith', ['8.1'], '8.', false],
  ];
  it.each(rows)('%s: fact %p, value %p → %p', async (operator, factValue, value, expected) => {
    await expect(holds(operator, factValue, value)).resolves.toBe(expected);
  });
});

describe('operator decorators (json-rules-engine semantics, missing-aware at every level)', () => {
  const rows: Row[] = [
    ['someFact:equal', ['a', 'b'], 'b', true],
    ['someFact:equal', ['a'], 'b', false],
    ['someFact:equal', 'b', 'b', false],
    ['someFact:not:equal', [null, 'b'], 'b', false],
    ['everyFact:greaterThan', [5, 6], 4, true],
    ['everyFact:greaterThan', [5, 3], 4, false],
    ['everyFact:greaterThan', [], 4, true],
    ['everyFact:greaterThan', 5, 4, false],
    ['someValue:equal', 'b', ['a', 'b'], true],
    ['someValue:equal', 'c', ['a', 'b'], false],
    ['someValue:equal', 'a', 'a', false],
    ['everyValue:lessThan', 1, [2, 3], true],
    ['everyValue:lessThan', 2, [2, 3], false],
    ['everyValue:lessThan', 1, 2, false],
    ['swap:contains', 'b', ['a', 'b'], true],
    ['swap:contains', 'c', ['a', 'b'], false],
    ['swap:in', ['a', 'b'], 'a', true],
    ['swap:in', ['a', 'b'], 'z', false],
    ['swap:lessThan', 9, 7, true],
    ['not:equal', 'a', 'b', true],
    ['not:equal', 'a', 'a', false],
    ['not:in', 'gz', ['bj'], true],
    ['not:in', 'bj', ['bj'], false],
    ['not:between', 30, [18, 25], true],
    ['not:someFact:equal', ['a'], 'b', true],
    ['not:someFact:equal', ['a', 'b'], 'b', false],
    ['everyFact:not:equal', ['a', 'c'], 'b', true],
    ['everyFact:not:equal', ['a', 'b'], 'b', false],
    ['someFact:startsWith', ['x1', '8.2'], '8.', true],
    ['someValue:startsWith', '8.2', ['7.', '8.'], true],
    ['everyFact:between', [18, 20], [18, 25], true],
    ['everyFact:between', [18, 30], [18, 25], false],
  ];
  it.each(rows)('%s: fact %p, value %p → %p', async (operator, factValue, value, expected) => {
    await expect(holds(operator, factValue, value)).resolves.toBe(expected);
  });
});

/**
 * DESIGN.md: "A condition whose fact or path is missing is false, for every operator, notEqual and notIn
 * included." Missing is undefined (absent path) or null; `not:`-decorated operators are false too.
 */
describe('DESIGN.md: a condition whose fact or path is missing is false', () => {
  const presentValue: Record<string, unknown> = {
    between: [18, 25],
    in: ['a'],
    notIn: ['a'],
    containsAny: ['a'],
    startsWith: 'a',
    lessThan: 5,
    lessThanInclusive: 5,
    greaterThan: 5,
    greaterThanInclusive: 5,
  };
  const valueFor = (operator: string): unknown => presentValue[operator.split(':').pop() ?? ''] ?? 'a';
  const plain = [...OPERATORS];
  const decorated = OPERATOR_DECORATORS.flatMap((decorator) => OPERATORS.map((op) => `${decorator}:${op}`));
  const chained = ['not:someFact:equal', 'not:everyFact:notEqual', 'swap:not:in', 'not:swap:contains'];
  const cases = [...plain, ...decorated, ...chained].flatMap((operator) => [
    [operator, 'an absent', MISSING] as const,
    [operator, 'a null', null] as const,
  ]);

  it.each(cases)('%s on %s fact path is false', async (operator, _label, factValue) => {
    await expect(holds(operator, factValue, valueFor(operator))).resolves.toBe(false);
  });

  const negations: [operator: string, present: unknown, value: unknown][] = [
    ['notEqual', 'z', 'a'],
    ['notIn', 'z', ['a']],
    ['doesNotContain', ['z'], 'a'],
    ['not:equal', 'z', 'a'],
    ['not:in', 'z', ['a']],
    ['not:contains', ['z'], 'a'],
    ['not:lessThan', 9, 5],
  ];
  it.each(negations)(
    '%s: true for a present fact %p, false when the path is missing',
    async (operator, present, value) => {
      await expect(holds(operator, present, value)).resolves.toBe(true);
      await expect(holds(operator, MISSING, value)).resolves.toBe(false);
      await expect(holds(operator, null, value)).resolves.toBe(false);
    },
  );

  it('a whole fact that is absent (not just its path) is false and never throws', async () => {
    const compiled = compileCampaign(
      resolvedCampaign({
        r: { all: [{ fact: 'context', path: 'channel', operator: 'notEqual', value: 'app' }] },
      }),
    );
    const withoutContext = { profile: {}, history: buildFacts({}).history } as unknown as Facts;
    await expect(compiled.matchSegment(withoutContext)).resolves.toBeNull();
    const explained = await compiled.explain(withoutContext);
    expect(explained.segment).toBeNull();
    expect(explained.segments[0]?.conditions[0]).toMatchObject({ factValue: undefined, result: false });
  });

  it('a path through a primitive or past the end of an array is missing', async () => {
    const input = { profile: { x: 'abc', list: [1] } };
    await expect(
      evaluateCondition({ fact: 'profile', path: 'x.length', operator: 'notEqual', value: 0 }, input),
    ).resolves.toBe(false);
    await expect(
      evaluateCondition({ fact: 'profile', path: 'list.3', operator: 'notIn', value: [1] }, input),
    ).resolves.toBe(false);
  });

  it('a null value on the right-hand side counts as missing too', async () => {
    await expect(holds('notEqual', 'a', null)).resolves.toBe(false);
    await expect(holds('equal', null, null)).resolves.toBe(false);
  });
});
