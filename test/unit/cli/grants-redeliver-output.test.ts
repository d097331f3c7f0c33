import { redeliverJson, redeliverLines } from '../../../cli/grants-redeliver-output';
import type { RedeliveryResult } from '../../../src/delivery/grant-redelivery-service';
import type { GrantRecord } from '../../../src/ledger/grant-store';
import { kwdCouponGrant } from './kwd-coupon-grant';

const COUPONS = 'http://coupons';

function redelivered(over: Partial<GrantRecord>): RedeliveryResult {
  return {
    grant: kwdCouponGrant(over),
    previousStatus: 'dead',
    previousAttempts: 12,
    lastError: 'HTTP 503',
    resolvedDiscrepancies: 1,
  };
}

describe('grants redeliver output', () => {
  // It printed "amount 5.000 KWD", the coupon's face value, as if that were what the budget had at stake.
  it('states the budget charge with its currency, the face value labelled where it differs', () => {
    expect(redeliverLines(redelivered({}), COUPONS)).toEqual([
      'redelivery scheduled for grant g1 (sale, user u1, cp) — was dead after 12 attempts',
      'money at stake: charged to the budget 1.234 KWD (face value 5.000 KWD)',
      'last error: HTTP 503',
      'same Idempotency-Key (g1): an issuer that has it already answers 409 and it counts as delivered',
      'discrepancies resolved: 1',
    ]);
    const packet = redelivered({
      rewardId: 'rp',
      rewardType: 'red_packet',
      amount: 150,
      charge: 150,
      currency: 'CNY',
    });
    expect(redeliverLines(packet, COUPONS)[1]).toBe('money at stake: charged to the budget 1.50 CNY');
  });

  it('says a test grant charged no budget, as void does', () => {
    expect(redeliverLines(redelivered({ test: true, amount: 450, charge: 450 }), COUPONS)[1]).toBe(
      'money at stake: charged to the budget 0.000 KWD, a test grant (face value 0.450 KWD)',
    );
  });

  it('gives the charge and currency on top in JSON, the grant as it was', () => {
    const result = redelivered({});
    expect(redeliverJson(result, COUPONS)).toEqual({
      ...result,
      charge: 1234,
      currency: 'KWD',
      sendTo: COUPONS,
    });
    expect(redeliverJson(redelivered({ test: true, charge: 450 }), 'sandbox')).toMatchObject({
      charge: 0,
      grant: { charge: 450 },
    });
    expect(redeliverJson(redelivered({ currency: null }), COUPONS)).toMatchObject({
      charge: 1234,
      currency: null,
    });
  });

  it('says so when the issuer that last answered no longer serves the type, warning for a dead one', () => {
    const dead = redelivered({ issuer: 'http://coupons-old' });
    expect(redeliverLines(dead, COUPONS)[0]).toBe(
      'last answered by http://coupons-old, no longer the issuer of its type: it goes to http://coupons ' +
        '(dead-lettered: if its answers were lost, http://coupons-old may have issued it; check there first)',
    );
    const refused = { ...dead, previousStatus: 'failed' as const };
    expect(redeliverLines(refused, COUPONS)[0]).toBe(
      'last answered by http://coupons-old, no longer the issuer of its type: it goes to http://coupons',
    );
    // A shell without the type's ISSUER_<TYPE>_URL cannot tell where the worker sends it: it said "it goes to
    // sandbox" while the relay sent it to its issuer. It says what it knows (JSON: sendTo null).
    expect(redeliverLines(dead, null)[0]).toBe(
      "last answered by http://coupons-old; it goes to the worker's ISSUER_COUPON_URL, which this shell does not " +
        'set to compare',
    );
    expect(redeliverLines(redelivered({ issuer: 'sandbox' }), null)).toHaveLength(5);
    expect(redeliverJson(dead, null)).toMatchObject({ sendTo: null });
    // The same issuer, or none recorded (before the ledger kept it): nothing more to say.
    expect(redeliverLines(redelivered({ issuer: COUPONS }), COUPONS)).toHaveLength(5);
    expect(redeliverLines(redelivered({ issuer: null }), COUPONS)).toHaveLength(5);
  });
});
