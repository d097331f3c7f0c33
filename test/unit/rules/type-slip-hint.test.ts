import type { ConditionResult } from '../../../src/rules/compiled-campaign';
import { typeSlipHint } from '../../../src/rules/type-slip-hint';

const leaf = (operator: string, value: unknown, factValue: unknown, result = false): ConditionResult => ({
  rule: 'r',
  path: 'all[0]',
  fact: 'profile',
  factPath: 'vipLevel',
  operator,
  value,
  factValue,
  result,
});

describe('typeSlipHint', () => {
  it('says a quoted number would have made a false condition true as a number', () => {
    expect(typeSlipHint(leaf('greaterThanInclusive', 3, '5'))).toBe(
      '"5" is text, not a number: as the number 5 this condition would be true (send numbers unquoted)',
    );
    expect(typeSlipHint(leaf('between', [1, 9], ' 5 '))).toBe(
      '" 5 " is text, not a number: as the number 5 this condition would be true (send numbers unquoted)',
    );
    expect(typeSlipHint(leaf('in', [1, 5], '5'))).toBeDefined();
  });

  it('says a number would have matched as text, for a condition written on text', () => {
    expect(typeSlipHint(leaf('equal', '5', 5))).toBe(
      '5 is a number, not text: as the text "5" this condition would be true (the rule compares text)',
    );
  });

  it('compares against the resolved value of a fact comparison', () => {
    const compared = { ...leaf('equal', { fact: 'context', path: 'level' }, '5'), resolvedValue: 5 };
    expect(typeSlipHint(compared)).toBeDefined();
  });

  it('gives nothing when the other type would not match either, for true conditions and for non-numbers', () => {
    expect(typeSlipHint(leaf('lessThan', 3, '5'))).toBeUndefined();
    expect(typeSlipHint(leaf('equal', 5, '5', true))).toBeUndefined();
    expect(typeSlipHint(leaf('equal', 'gold', 'gold '))).toBeUndefined();
    expect(typeSlipHint(leaf('equal', 0, ''))).toBeUndefined();
    expect(typeSlipHint(leaf('equal', 5, undefined))).toBeUndefined();
    expect(typeSlipHint(leaf('contains', 5, ['5']))).toBeUndefined();
  });
});
