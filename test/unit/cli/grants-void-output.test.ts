import { voidJson, voidLines } from '../../../cli/grants-void-output';
import type { GrantRecord } from '../../../src/ledger/grant-store';
import type { VoidResult } from '../../../src/reconciliation/grant-void-service';
import { kwdCouponGrant } from './kwd-coupon-grant';

const at = new Date('2026-11-11T02:00:00Z');

function voided(over: Partial<GrantRecord>): VoidResult {
  const grant = kwdCouponGrant({ status: 'void', voidReason: 'duplicate account', voidedAt: at, ...over });
  return {
    grant,
    previousStatus: 'pending',
    deliveryCancelled: true,
    deadLetterClosed: false,
    resolvedDiscrepancies: 0,
    hotState: 'rebuilt',
    user: 'primed',
  };
}

describe('grants void text', () => {
  // The budget gets the charge back; the text printed the face value as "amount", a finance reader took it as money.
  it('shows what the budget gets back, and a coupon face value labelled as such', () => {
    const [head, back] = voidLines(voided({}));
    expect(head).toBe('voided grant g1 (sale, user u1, cp) — was pending');
    expect(back).toBe('budget gets back 1.234 KWD (face value 5.000 KWD)');
  });

  it('shows no face value where it is the charge (a red packet)', () => {
    const lines = voidLines(voided({ rewardId: 'rp', rewardType: 'red_packet', amount: 450, charge: 450 }));
    expect(lines[1]).toBe('budget gets back 0.450 KWD');
  });

  it('gives nothing back for a test grant, which charged no budget', () => {
    const lines = voidLines(voided({ test: true, amount: 450, charge: 450 }));
    expect(lines[1]).toBe('budget gets back 0.000 KWD, a test grant (face value 0.450 KWD)');
  });

  // On PostgreSQL from a shell without REDIS_URL it said "(in-memory hot state)" while Redis kept the budget spent.
  it('says the hot counters were not touched when a shared ledger is voided from a shell without REDIS_URL', () => {
    const deferred = { ...voided({}), hotState: 'deferred' as const, user: 'deferred' as const };
    expect(voidLines(deferred, true)).toContain(
      "hot counters: given back by the service's real-time reconciliation (in-memory hot state)",
    );
    expect(voidLines(deferred, false)).toContain(
      'hot counters: not given back from this shell, which sets no REDIS_URL: real-time reconciliation gives them ' +
        'back within a minute (set REDIS_URL to give them back now)',
    );
  });

  // JSON gave only `grant.charge`, a test grant's the cost it would have had (450), where the text said 0.
  it('gives what the budget gets back on top in JSON, 0 for a test grant as the text says', () => {
    expect(voidJson(voided({}))).toMatchObject({ charge: 1234, currency: 'KWD', grant: { charge: 1234 } });
    expect(voidJson(voided({ test: true, charge: 450 }))).toMatchObject({
      charge: 0,
      grant: { charge: 450 },
    });
  });
});
