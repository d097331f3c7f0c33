/** The issuers' listings merged by grant id: a grant listed more than once, by one issuer or several, once. */
import { issuedTwiceDetails, mergeListings } from '../../../src/reconciliation/downstream-listings';

const at = new Date('2026-11-11T02:00:00Z');
const rec = (grantId: string, amount = 100) => ({ grantId, rewardId: 'rp', amount, issuedAt: at });

describe('mergeListings', () => {
  it('keeps each grant with its first listing and no duplicates when every grant is listed once', () => {
    const { byGrant, duplicated } = mergeListings([
      { issuer: 'wallet', records: [rec('a'), rec('b')] },
      { issuer: 'sandbox', records: [rec('c')] },
    ]);
    expect([...byGrant].map(([id, d]) => [id, d.issuer])).toEqual([
      ['a', 'wallet'],
      ['b', 'wallet'],
      ['c', 'sandbox'],
    ]);
    expect(duplicated.size).toBe(0);
  });

  it('reports a grant one issuer lists twice, and one listed by two issuers (once by one, twice by the other)', () => {
    const { byGrant, duplicated } = mergeListings([
      { issuer: 'wallet', records: [rec('a', 100), rec('b'), rec('a', 101)] },
      { issuer: 'sandbox', records: [rec('b'), rec('c')] },
      { issuer: 'coupon', records: [rec('b')] },
    ]);
    expect(byGrant.get('a')).toEqual({ issuer: 'wallet', record: rec('a', 100) });
    expect([...duplicated.keys()]).toEqual(['a', 'b']);
    expect(duplicated.get('a')?.map((d) => [d.issuer, d.record.amount])).toEqual([
      ['wallet', 100],
      ['wallet', 101],
    ]);
    expect(duplicated.get('b')?.map((d) => d.issuer)).toEqual(['wallet', 'sandbox', 'coupon']);
  });
});

describe('issuedTwiceDetails', () => {
  it('lists who listed the grant and each record, in listing order, with ISO times', () => {
    expect(
      issuedTwiceDetails([
        { issuer: 'wallet', record: rec('a') },
        { issuer: 'wallet', record: rec('a') },
      ]),
    ).toEqual({
      issuers: ['wallet', 'wallet'],
      records: [0, 1].map(() => ({ grantId: 'a', rewardId: 'rp', amount: 100, issuedAt: at.toISOString() })),
    });
  });
});
