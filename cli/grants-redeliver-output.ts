/**
 * `pocket grants redeliver` output, pure. Besides the grant, it says the money at stake as `grants void` says
 * what comes back: the budget charge in its currency, the face value beside it where it differs. It printed the
 * face value alone (`amount 5.000 KWD` for a coupon that cost the budget 1.234).
 */
import type { RedeliveryResult } from '../src/delivery/grant-redelivery-service';
import { budgetCharge } from '../src/reconciliation/money-at-stake';
import { grantChargeText } from './grant-charge-text';

export function redeliverLines(result: RedeliveryResult): string[] {
  const g = result.grant;
  return [
    `redelivery scheduled for grant ${g.id} (${g.campaignId}, user ${g.userId}, ${g.rewardId}) — was ${result.previousStatus} after ${result.previousAttempts} attempts`,
    `money at stake: charged to the budget ${grantChargeText(g)}`,
    `last error: ${result.lastError ?? 'none'}`,
    `same Idempotency-Key (${g.id}): an issuer that has it already answers 409 and it counts as delivered`,
    `discrepancies resolved: ${result.resolvedDiscrepancies}`,
  ];
}

/**
 * `--format json`: the result, with the money at stake on top as `reconcile` and `discrepancies list` give it:
 * `charge`, what the budget was charged in minor units (0 for a test grant), and its `currency`.
 */
export function redeliverJson(
  result: RedeliveryResult,
): RedeliveryResult & { charge: number; currency: string | null } {
  return { ...result, charge: budgetCharge(result.grant), currency: result.grant.currency };
}
