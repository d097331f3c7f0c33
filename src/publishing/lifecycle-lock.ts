/**
 * Serializes lifecycle changes of a campaign (publish, rollback, pause, resume) across processes, so two
 * of them never decide from the same "active version" or pause state. PostgreSQL: transaction-scoped
 * advisory locks, taken in sorted order (no deadlock between multi-campaign publishes). SQLite: its single
 * writer already serializes write transactions.
 */
import { isPostgres, type Executor } from '../ledger/db';

export async function lockCampaigns(trx: Executor, campaignIds: readonly string[]): Promise<void> {
  if (!isPostgres(trx)) return;
  for (const id of [...new Set(campaignIds)].sort()) {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`pocket:lifecycle:${id}`]);
  }
}
