import type { Condition } from '../../../src/definitions/campaign-types';
import { checkRuleConditions } from '../../../src/definitions/check-rule-conditions';
import { formatPath } from '../../../src/definitions/finding';

function check(conditions: unknown): string[] {
  return checkRuleConditions({ id: 'r', conditions: conditions as Condition }, ['rules', 0]).map(
    (f) => `${formatPath(f.path)}: ${f.message}`,
  );
}

const leaf = (operator: string, value: unknown, extra: object = {}) => ({
  all: [{ fact: 'profile', path: 'age', operator, value, ...extra }],
});
const at = 'rules[0].conditions.all[0]';

describe('checkRuleConditions', () => {
  it('accepts every known operator, decorated operators and fact comparisons', () => {
    expect(
      check({
        any: [
          { fact: 'profile', path: '$.age', operator: 'between', value: [18, 25] },
          { fact: 'profile', path: 'tags', operator: 'everyFact:not:in', value: ['a'] },
          { fact: 'profile', path: 'tags', operator: 'someValue:startsWith', value: ['vip-', 'svip-'] },
          {
            fact: 'context',
            path: 'city',
            operator: 'equal',
            value: { fact: 'profile', path: 'address.city' },
          },
          { not: { all: [{ fact: 'history', path: 'grants', operator: 'greaterThan', value: 0 }] } },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses unknown facts, operators and decorators, with a suggestion when one is close', () => {
    expect(check({ all: [{ fact: 'profil', operator: 'equals', value: 1 }] })).toEqual([
      `${at}.fact: unknown fact "profil"; allowed: profile, context, history`,
      `${at}.operator: unknown operator "equals" (did you mean "equal"?)`,
    ]);
    expect(check(leaf('evryValue:in', [1]))).toEqual([
      `${at}.operator: unknown operator decorator "evryValue" in "evryValue:in" (did you mean "everyValue"?); allowed: everyFact, someFact, everyValue, someValue, not, swap`,
    ]);
  });

  it('refuses JSONPath, wildcards and prototype keys in paths, also in fact comparisons', () => {
    for (const path of ['$..age', 'tags[*]', 'a.__proto__.b', "$['age']"]) {
      expect(check(leaf('equal', 1, { path }))).toEqual([
        `${at}.path: path ${JSON.stringify(path)} is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)`,
      ]);
    }
    expect(check(leaf('equal', { fact: 'profile', path: 'x[0]' }))).toEqual([
      `${at}.value.path: path "x[0]" is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)`,
    ]);
  });

  it('checks the value of between, the numeric comparisons, in, notIn, containsAny and startsWith', () => {
    expect(check(leaf('between', 18))).toEqual([
      `${at}.value: operator "between" needs [low, high] (got 18)`,
    ]);
    expect(check(leaf('between', [18, 'x']))).toEqual([
      `${at}.value: operator "between" needs two numbers (got [18, "x"])`,
    ]);
    // Numbers only, as the operators compare (a string would never match): a quoted number gets a hint.
    expect(check(leaf('between', ['a', 'b']))).toEqual([
      `${at}.value: operator "between" needs two numbers (got ["a", "b"])`,
    ]);
    expect(check(leaf('lessThan', '7'))).toEqual([
      `${at}.value: operator "lessThan" compares numbers: needs a number (got "7"); write numbers without quotes`,
    ]);
    expect(check(leaf('greaterThanInclusive', null))).toEqual([
      `${at}.value: operator "greaterThanInclusive" compares numbers: needs a number (got null)`,
    ]);
    expect(check(leaf('not:greaterThan', 3))).toEqual([]);
    expect(check(leaf('not:between', [30, 18]))).toEqual([
      `${at}.value: low must not be greater than high (got [30, 18])`,
    ]);
    expect(check(leaf('between', [18, 18]))).toEqual([]);
    expect(check(leaf('in', 'bj'))).toEqual([`${at}.value: operator "in" needs a list of values (got "bj")`]);
    expect(check(leaf('notIn', 3))).toEqual([`${at}.value: operator "notIn" needs a list of values (got 3)`]);
    expect(check(leaf('containsAny', 'kids'))).toEqual([
      `${at}.value: operator "containsAny" needs a list of values (got "kids")`,
    ]);
    expect(check(leaf('startsWith', 9))).toEqual([
      `${at}.value: operator "startsWith" needs a string (got 9)`,
    ]);
  });

  it('leaves the value alone when a decorator changes its meaning or it names a fact', () => {
    expect(check(leaf('everyValue:in', [['a'], ['b']]))).toEqual([]);
    expect(check(leaf('swap:in', 'bj'))).toEqual([]);
    expect(check(leaf('between', { fact: 'context', path: 'range' }))).toEqual([]);
  });

  it('walks nested all / any / not at any depth', () => {
    const deep = { any: [{ not: { all: [{ any: [{ fact: 'device', operator: 'equal', value: 1 }] }] } }] };
    expect(check(deep)).toEqual([
      'rules[0].conditions.any[0].not.all[0].any[0].fact: unknown fact "device"; allowed: profile, context, history',
    ]);
  });
});
