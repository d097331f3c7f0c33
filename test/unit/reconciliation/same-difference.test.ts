import { issuedBeforeVoid } from '../../../src/reconciliation/offline-reconciler';
import { sameDifference } from '../../../src/reconciliation/same-difference';

describe('sameDifference', () => {
  it('ignores key order and undefined values, at any depth', () => {
    expect(
      sameDifference(
        { issuer: 'w', record: { grantId: 'g', amount: 100 }, gone: undefined },
        { record: { amount: 100, grantId: 'g' }, issuer: 'w' },
      ),
    ).toBe(true);
  });

  it('sees a changed value, a new key, a null against a missing key and array order', () => {
    const base = { issuer: 'w', record: { amount: 100 }, issuers: ['a', 'b'] };
    expect(sameDifference(base, { ...base, record: { amount: 101 } })).toBe(false);
    expect(sameDifference(base, { ...base, extra: 1 })).toBe(false);
    expect(sameDifference(base, { ...base, voidedAt: null })).toBe(false);
    expect(sameDifference(base, { ...base, issuers: ['b', 'a'] })).toBe(false);
    expect(sameDifference({ n: '1' }, { n: 1 })).toBe(false);
  });
});

describe('issuedBeforeVoid', () => {
  const voidedAt = new Date('2026-11-11T10:00:00Z');
  const at = (offsetMs: number) => ({ issuedAt: new Date(voidedAt.getTime() + offsetMs) });

  it('is true for a grant the ledger recorded delivered, whatever the issuer stamped', () => {
    expect(issuedBeforeVoid({ deliveredAt: new Date(voidedAt.getTime() - 1000), voidedAt }, at(60_000))).toBe(
      true,
    );
  });

  it('otherwise compares the issuer record with the void: not later is before, later is after', () => {
    expect(issuedBeforeVoid({ deliveredAt: null, voidedAt }, at(-1))).toBe(true);
    expect(issuedBeforeVoid({ deliveredAt: null, voidedAt }, at(0))).toBe(true);
    expect(issuedBeforeVoid({ deliveredAt: null, voidedAt }, at(1))).toBe(false);
  });
});
