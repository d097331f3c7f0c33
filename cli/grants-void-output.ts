/**
 * `pocket grants void` text output, pure. What the budget gets back is the grant's charge: a coupon or voucher
 * charges its cost, not its face value, so the face value is shown beside it, labelled, only where it differs.
 */
import type { VoidResult } from '../src/reconciliation/grant-void-service';
import { budgetCharge } from '../src/reconciliation/money-at-stake';
import { grantChargeText } from './grant-charge-text';
import { printable } from './output';

/**
 * `--format json`: the result, with what the budget gets back on top as `grants redeliver` gives its money at
 * stake: `charge` in minor units (0 for a test grant, which charged no budget: `grant.charge` is the cost it would
 * have had) and its `currency`.
 */
export function voidJson(result: VoidResult): VoidResult & { charge: number; currency: string | null } {
  return { ...result, charge: budgetCharge(result.grant), currency: result.grant.currency };
}

/**
 * `embedded`: the ledger is the embedded SQLite one, whose hot state is the service's own memory. On a shared
 * ledger without REDIS_URL in this shell the counters were not touched: it said "(in-memory hot state)" there too,
 * while Redis kept the budget spent until the worker's reconciliation ran.
 */
export function voidLines(result: VoidResult, embedded = true): string[] {
  const g = result.grant;
  return [
    `voided grant ${g.id} (${g.campaignId}, user ${g.userId}, ${g.rewardId}) — was ${result.previousStatus}`,
    `budget gets back ${grantChargeText(g)}`,
    `reason: ${printable(g.voidReason ?? '')}`,
    result.deliveryCancelled
      ? 'pending delivery cancelled'
      : result.deadLetterClosed
        ? 'dead-lettered delivery closed'
        : 'no pending delivery',
    `discrepancies resolved: ${result.resolvedDiscrepancies}`,
    result.hotState !== 'deferred'
      ? `hot counters: ${result.hotState}; user counts: ${result.user}`
      : embedded
        ? "hot counters: given back by the service's real-time reconciliation (in-memory hot state)"
        : 'hot counters: not given back from this shell, which sets no REDIS_URL: real-time reconciliation gives ' +
          'them back within a minute (set REDIS_URL to give them back now)',
    ...(result.previousStatus === 'delivered'
      ? [
          'the issuer had it: while it still lists it, reconcile reports voided_but_issued; once handled there, ' +
            'close it with pocket discrepancies resolve <id> --note "…"',
        ]
      : []),
  ];
}
