/**
 * `pocket grants redeliver` output, pure. Besides the grant, it says the money at stake as `grants void` says
 * what comes back: the budget charge in its currency, the face value beside it where it differs. It printed the
 * face value alone (`amount 5.000 KWD` for a coupon that cost the budget 1.234). `sendTo` is the issuer the relay
 * will send it to, its type's now (issuerBase, or `sandbox`), as this shell's configuration names it: when that is
 * not the issuer that last answered for it (the issuer moved to a new URL), the text says so.
 */
import type { RedeliveryResult } from '../src/delivery/grant-redelivery-service';
import type { RewardKind } from '../src/config';
import { issuerVariable } from '../src/delivery/issuer-secrets';
import { budgetCharge } from '../src/reconciliation/money-at-stake';
import { grantChargeText } from './grant-charge-text';

export function redeliverLines(result: RedeliveryResult, sendTo: string | null): string[] {
  const g = result.grant;
  return [
    ...movedIssuerLines(result, sendTo),
    `redelivery scheduled for grant ${g.id} (${g.campaignId}, user ${g.userId}, ${g.rewardId}) — was ${result.previousStatus} after ${result.previousAttempts} attempts`,
    `money at stake: charged to the budget ${grantChargeText(g)}`,
    `last error: ${result.lastError ?? 'none'}`,
    `same Idempotency-Key (${g.id}): an issuer that has it already answers 409 and it counts as delivered`,
    `discrepancies resolved: ${result.resolvedDiscrepancies}`,
  ];
}

/**
 * A grant last answered by an issuer that is no longer its type's: it goes to the new one, which never saw it.
 * `sendTo` null: this shell does not set the type's issuer URL, so it cannot tell which one the relay has.
 */
function movedIssuerLines(result: RedeliveryResult, sendTo: string | null): string[] {
  const last = result.grant.issuer;
  if (last === null || last === sendTo) return [];
  if (sendTo === null) {
    if (last === 'sandbox') return [];
    const variable = issuerVariable(result.grant.rewardType as RewardKind, 'URL');
    return [
      `last answered by ${last}; it goes to the worker's ${variable}, which this shell does not set to compare`,
    ];
  }
  const lost =
    result.previousStatus === 'dead'
      ? ` (dead-lettered: if its answers were lost, ${last} may have issued it; check there first)`
      : '';
  return [`last answered by ${last}, no longer the issuer of its type: it goes to ${sendTo}${lost}`];
}

/**
 * `--format json`: the result, with the money at stake on top as `reconcile` and `discrepancies list` give it:
 * `charge`, what the budget was charged in minor units (0 for a test grant), and its `currency`; `sendTo`, the
 * issuer it goes to (`grant.issuer` is the one that last answered), null when this shell does not set its URL.
 */
export function redeliverJson(
  result: RedeliveryResult,
  sendTo: string | null,
): RedeliveryResult & { charge: number; currency: string | null; sendTo: string | null } {
  return { ...result, charge: budgetCharge(result.grant), currency: result.grant.currency, sendTo };
}
