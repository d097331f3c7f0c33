/**
 * A grant's money in the text of the verbs that act on one grant (`grants void`, `grants redeliver`): what its
 * budget was charged, and its face value beside it, labelled, only where it differs. A coupon or voucher charges
 * its cost, not its face value; the face value alone, printed as `amount`, was read as the money at stake.
 */
import type { GrantRecord } from '../src/ledger/grant-store';
import { budgetCharge } from '../src/reconciliation/money-at-stake';
import { formatMoney } from '../src/shared/money';

/**
 * "1.234 KWD (face value 5.000 KWD)": the budget charge, and the face value where it differs. A test grant
 * charged no budget (testers spend nothing): "0.000 KWD, a test grant (face value 0.450 KWD)".
 */
export function grantChargeText(g: Pick<GrantRecord, 'amount' | 'charge' | 'currency' | 'test'>): string {
  const charge = budgetCharge(g);
  const face = g.amount === charge ? '' : ` (face value ${formatMoney(g.amount, g.currency)})`;
  return `${formatMoney(charge, g.currency)}${g.test ? ', a test grant' : ''}${face}`;
}
