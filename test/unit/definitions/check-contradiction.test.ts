import { checkContradiction } from '../../../src/definitions/check-contradiction';
import { formatPath } from '../../../src/definitions/finding';

const leaf = (path: string, operator: string, value: unknown) => ({ fact: 'profile', path, operator, value });
const check = (...all: unknown[]): string[] =>
  checkContradiction({ all }, ['rules', 0, 'conditions']).map(
    (f) => `${f.severity} ${formatPath(f.path)}: ${f.message}`,
  );

describe('checkContradiction', () => {
  // `age lessThan 10` with `age between [18, 25]` matched nobody, and only dry-run's "unreached segments" said so.
  it('warns at the condition that leaves a path no value', () => {
    expect(
      check(leaf('age', 'lessThan', 10), leaf('gender', 'equal', 'f'), leaf('age', 'between', [18, 25])),
    ).toEqual([
      'warning rules[0].conditions.all[2]: the conditions on profile.age cannot all hold (lessThan 10 and between [18,25]): no user matches this rule',
    ]);
    expect(check(leaf('$.age', 'greaterThan', 30), leaf('age', 'lessThanInclusive', 30))).toHaveLength(1);
    expect(check(leaf('age', 'equal', 3), leaf('age', 'equal', 4))).toHaveLength(1);
    expect(check(leaf('age', 'greaterThanInclusive', 30), leaf('age', 'lessThan', 30))).toHaveLength(1);
  });

  it('leaves alone what some value satisfies, what it cannot read, and any/not', () => {
    expect(check(leaf('age', 'greaterThanInclusive', 18), leaf('age', 'lessThanInclusive', 18))).toEqual([]);
    expect(check(leaf('age', 'between', [18, 25]), leaf('age', 'lessThan', 20))).toEqual([]);
    expect(check(leaf('age', 'lessThan', 10), leaf('years', 'greaterThan', 20))).toEqual([]);
    expect(check(leaf('age', 'not:lessThan', 10), leaf('age', 'lessThan', 5))).toEqual([]);
    expect(check(leaf('age', 'lessThan', '10'), leaf('age', 'greaterThan', 20))).toEqual([]);
    expect(
      checkContradiction({ any: [leaf('age', 'lessThan', 1), leaf('age', 'greaterThan', 5)] }, []),
    ).toEqual([]);
  });
});
