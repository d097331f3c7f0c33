import type { GrantRecord } from '../../../src/ledger/grant-store';

/**
 * A grant for the single-grant verbs' text: a KWD coupon of face value 5.000 that cost its budget 1.234 (three
 * minor digits, so a face value printed for the charge shows), with `over` changed.
 */
export function kwdCouponGrant(over: Partial<GrantRecord>): GrantRecord {
  return {
    id: 'g1',
    campaignId: 'sale',
    userId: 'u1',
    rewardId: 'cp',
    rewardType: 'coupon',
    amount: 5000,
    charge: 1234,
    currency: 'KWD',
    test: false,
    status: 'pending',
    issuer: null,
    ...over,
  } as GrantRecord;
}
