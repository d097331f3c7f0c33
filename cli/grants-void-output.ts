/**
 * `pocket grants void` text output, pure. What the budget gets back is the grant's charge: a coupon or voucher
 * charges its cost, not its face value, so the face value is shown beside it, labelled, only where it differs.
 */
import type { GrantRecord } from '../src/ledger/grant-store';
import type { VoidResult } from '../src/reconciliation/grant-void-service';
import { budgetCharge } from '../src/reconciliation/money-at-stake';
import { formatMoney } from './money';

/**
 * "budget gets back 1.234 KWD (face value 5.000 KWD)": the charge, and the face value where it differs. A test
 * grant charged no budget (testers spend nothing), so it gives nothing back.
 */
function givenBack(g: GrantRecord): string {
  const back = budgetCharge(g);
  const face = g.amount === back ? '' : ` (face value ${formatMoney(g.amount, g.currency)})`;
  return `budget gets back ${formatMoney(back, g.currency)}${g.test ? ', a test grant' : ''}${face}`;
}

export function voidLines(result: VoidResult): string[] {
  const g = result.grant;
  return [
    `voided grant ${g.id} (${g.campaignId}, user ${g.userId}, ${g.rewardId}) — was ${result.previousStatus}`,
    givenBack(g),
    `reason: ${g.voidReason ?? ''}`,
    result.deliveryCancelled
      ? 'pending delivery cancelled'
      : result.deadLetterClosed
        ? 'dead-lettered delivery closed'
        : 'no pending delivery',
    `discrepancies resolved: ${result.resolvedDiscrepancies}`,
    result.hotState === 'deferred'
      ? "hot counters: given back by the service's real-time reconciliation (in-memory hot state)"
      : `hot counters: ${result.hotState}; user counts: ${result.user}`,
    ...(result.previousStatus === 'delivered'
      ? [
          'the issuer had it: while it still lists it, reconcile reports voided_but_issued; once handled there, ' +
            'close it with pocket discrepancies resolve <id> --note "…"',
        ]
      : []),
  ];
}
