/** Real spend of a campaign since a time (the burn-rate alert's recent pace), from the ledger's grants. */
import type { Executor } from '../../ledger/db';
import { toNumber } from '../../ledger/row-values';

export interface SpendReads {
  /** Charges of real, non-void grants created at or after `since` (on `businessDate` only, when given). */
  spendSince(q: Executor, campaignId: string, since: Date, businessDate: string | null): Promise<number>;
}

export class KnexSpendReads implements SpendReads {
  async spendSince(
    q: Executor,
    campaignId: string,
    since: Date,
    businessDate: string | null,
  ): Promise<number> {
    const query = q('grants')
      .where({ campaign_id: campaignId, test: false })
      .whereNot({ status: 'void' })
      .where('created_at', '>=', since);
    if (businessDate !== null) query.where({ business_date: businessDate });
    const row = (await query.sum({ spend: 'charge' }).first()) as { spend?: unknown } | undefined;
    return row?.spend === null || row?.spend === undefined ? 0 : toNumber(row.spend);
  }
}
