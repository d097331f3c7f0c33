import { closest, didYouMean } from '../../../src/definitions/did-you-mean';

describe('closest', () => {
  it('takes one edit per three characters, at least two from five characters', () => {
    expect(closest('profil', ['profile', 'context'])).toBe('profile');
    expect(closest('evryValue', ['everyValue'])).toBe('everyValue');
    expect(closest('registerdDys', ['registeredDays'])).toBe('registeredDays');
    expect(closest('contxt', ['context'])).toBe('context');
  });

  // "tags" was offered "age" (two edits): a different field, not a typo of it.
  it('takes one edit only below five characters', () => {
    expect(closest('tags', ['age', 'gender'])).toBeUndefined();
    expect(closest('CNX', ['CNY', 'USD'])).toBe('CNY');
    expect(closest('agee', ['age'])).toBe('age');
    expect(didYouMean('vipp', ['vip'])).toBe(' (did you mean "vip"?)');
    // A swap of two neighbouring letters is one edit, the commonest typo of a short name.
    expect(closest('tpye', ['type', 'name'])).toBe('type');
    expect(closest('nmae', ['type', 'name'])).toBe('name');
    expect(closest('wehn', ['when', 'rewards'])).toBe('when');
  });

  it('never offers the input itself, nor anything when nothing is close', () => {
    expect(closest('age', ['age'])).toBeUndefined();
    expect(didYouMean('zzzzzz', ['age', 'gender'])).toBe('');
  });
});
