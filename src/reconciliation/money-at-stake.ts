/**
 * The money a listed grant puts at stake: what its budget was charged (a test grant charged none), in its
 * currency, and the totals per currency of a list (`pocket reconcile`, `pocket discrepancies list`). Totals are
 * exact sums, MinorUnits in JSON.
 */
import type { GrantRecord } from '../ledger/grant-store';
import { minorBigInt, toMinorUnits, type MinorUnits } from '../shared/minor-units';

export interface AtStake {
  /** null: a campaign without a budget currency (bare minor units). */
  currency: string | null;
  charge: MinorUnits;
}

/** What the grant's budget was charged: its charge, none for a tester's grant (testers spend nothing). */
export function budgetCharge(grant: Pick<GrantRecord, 'charge' | 'test'>): number {
  return grant.test ? 0 : grant.charge;
}

/** `totals` with `charge` added to its currency's line (one line per currency, in order of appearance). */
export function addAtStake(totals: AtStake[], charge: number, currency: string | null): void {
  const line = totals.find((t) => t.currency === currency);
  if (line) line.charge = toMinorUnits(minorBigInt(line.charge) + BigInt(charge));
  else totals.push({ currency, charge });
}

/** The totals per currency of these charges (those without a grant, null, left out). */
export function atStakeTotals(
  items: Iterable<{ charge: number | null; currency: string | null }>,
): AtStake[] {
  const totals: AtStake[] = [];
  for (const item of items) if (item.charge !== null) addAtStake(totals, item.charge, item.currency);
  return totals;
}
