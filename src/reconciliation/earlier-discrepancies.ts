/**
 * Pure: which open offline discrepancies of earlier runs a run has looked at again and no longer finds, so it
 * resolves them ("no longer observed").
 *
 * A run looked at a discrepancy again when it is in the run's scope and either its grant was examined (a
 * delivered grant of the window, or a listed record the run compared) or the downstream record it is about was
 * issued inside the window the issuers were read over (the record has since disappeared).
 *
 * Scope: a run without a campaign covers everything. A run for one campaign covers that campaign's
 * discrepancies, and those about grants unknown to the ledger (unknown_downstream, issued_twice of an unknown
 * grant): they belong to no campaign, and every run reads every issuer over its whole window, so it really
 * re-examined them. Another campaign's discrepancies are never touched, whatever their stored campaign says:
 * the owner is the stored campaign, else the ledger's campaign of the grant (rows recorded without one).
 */
import type { Discrepancy } from './discrepancy-store';

export interface RunScope {
  campaignId: string | null;
  /** Grants this run examined. */
  examined: ReadonlySet<string>;
  /** `${kind}:${grantId}` of every difference this run found. */
  found: ReadonlySet<string>;
  /** The window the issuers were read over. */
  read: { from: Date; to: Date };
  /** The ledger's campaign of grants known to it (for discrepancies stored without a campaign). */
  owners: ReadonlyMap<string, string>;
}

export function noLongerObserved(open: readonly Discrepancy[], run: RunScope): Discrepancy[] {
  return open.filter((d) => {
    if (d.grantId === null || run.found.has(`${d.kind}:${d.grantId}`)) return false;
    const owner = d.campaignId ?? run.owners.get(d.grantId) ?? null;
    if (run.campaignId !== null && owner !== null && owner !== run.campaignId) return false;
    return run.examined.has(d.grantId) || issuedWithin(d, run.read);
  });
}

/** Whether the downstream record a discrepancy is about was issued inside the read window. */
function issuedWithin(d: Discrepancy, read: { from: Date; to: Date }): boolean {
  const records = d.details['records'];
  const record = (d.details['record'] ?? (Array.isArray(records) ? records[0] : undefined)) as
    { issuedAt?: unknown } | undefined;
  const at = typeof record?.issuedAt === 'string' ? Date.parse(record.issuedAt) : NaN;
  return at >= read.from.getTime() && at < read.to.getTime();
}
