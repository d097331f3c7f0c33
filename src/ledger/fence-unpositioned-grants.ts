/**
 * A limit added to a campaign that already has grants (a stock on a reward that had none, a total or daily budget
 * or a per-user limit where there was none) must count those grants. They were made without a limit, so they hold
 * no fence position: no stock slot, no budget range, no per-user sequence number. Left so, the hot counters (rebuilt from the ledger's positions) and the ledger
 * fence would both start the new limit from zero, and a campaign that had spent 30,000 could spend its whole new
 * budget of 50,000 again. The activation that brings the limit gives them positions, in grant order, above the
 * positions already taken and up to the limit (grants beyond it keep none: the limit is already used up).
 * A budget range is as long as its grant's charge, so the grants that fit may end short of the limit: the first
 * one that does not fit takes the range across it, recorded under a limit of its own end (it was made before
 * the limit existed), so that no new grant fits into what is left below the limit (it was spent).
 *
 * Runs in the activation's transaction. On PostgreSQL, before it places budget ranges, it takes the campaign's
 * range-fence advisory lock (the one the range triggers take), so that no grant write places a range between its
 * reading of the top and its commit; the updates are then checked by the same triggers as any grant write.
 */
import { isPostgres, type Executor } from './db';

/** The limits of the version being activated; null: not limited. */
export interface FenceLimits {
  /** Stock per reward id (consolations and unlimited rewards left out). */
  stock: Readonly<Record<string, number>>;
  budgetTotal: number | null;
  budgetDaily: number | null;
  perUserTotal: number | null;
  perUserDaily: number | null;
}

export interface FencedCounts {
  stockSlots: number;
  budgetRanges: number;
  dailyRanges: number;
  userSeqs: number;
  dailyUserSeqs: number;
}

const LOCK_CLASS = 0x706f636b; // the range-fence triggers' advisory lock class (20261126000100)

/** Real grants in force of the campaign: what the fences count. */
const IN_FORCE = `campaign_id = ? AND test = ? AND status <> 'void'`;

async function lockRanges(q: Executor, campaignId: string): Promise<void> {
  if (!isPostgres(q)) return; // SQLite has one writer: the transaction is the lock
  await q.raw(
    `SELECT pg_advisory_xact_lock(?, hashtext(n.nspname || '.' || ?)) FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'grants'::regclass`,
    [LOCK_CLASS, campaignId],
  );
}

/** Rows an UPDATE changed: pg answers `rowCount`, better-sqlite3 `changes`. */
function changed(result: unknown): number {
  const r = result as { rowCount?: number | null; changes?: number } | undefined;
  return r?.rowCount ?? r?.changes ?? 0;
}

async function top(
  q: Executor,
  column: string,
  where: string,
  bindings: Array<string | boolean>,
): Promise<number> {
  const row = (await q('grants').whereRaw(where, bindings).max({ top: column }).first()) as
    { top?: unknown } | undefined;
  return row?.top === null || row?.top === undefined ? 0 : Number(row.top);
}

async function fenceStock(q: Executor, campaignId: string, rewardId: string, limit: number): Promise<number> {
  const from = await top(q, 'stock_slot', `${IN_FORCE} AND reward_id = ?`, [campaignId, false, rewardId]);
  const result = await q.raw(
    `UPDATE grants SET stock_slot = s.slot, stock_limit = ?
       FROM (SELECT id, ? + ROW_NUMBER() OVER (ORDER BY created_at, id) AS slot FROM grants
              WHERE ${IN_FORCE} AND reward_id = ? AND stock_slot IS NULL) s
      WHERE grants.id = s.id AND s.slot <= ?`,
    [limit, from, campaignId, false, rewardId, limit],
  );
  return changed(result);
}

/**
 * The limit a placed range records: the budget's, or for the one range across it, the range's own end (the
 * ranges check end <= limit). Bindings: the limit, twice.
 */
const ACROSS = 'CASE WHEN s.e > ? THEN s.e ELSE ? END';

async function fenceBudget(q: Executor, campaignId: string, limit: number): Promise<number> {
  const from = await top(q, 'budget_end', IN_FORCE, [campaignId, false]);
  const result = await q.raw(
    `UPDATE grants SET budget_start = s.e - s.charge, budget_end = s.e, budget_limit = ${ACROSS}
       FROM (SELECT id, charge, ? + SUM(charge) OVER (ORDER BY created_at, id ROWS UNBOUNDED PRECEDING) AS e
               FROM grants WHERE ${IN_FORCE} AND charge > 0 AND budget_start IS NULL) s
      WHERE grants.id = s.id AND s.e - s.charge < ?`,
    [limit, limit, from, campaignId, false, limit],
  );
  return changed(result);
}

/** Today and later only: earlier business days are over, and their daily budget binds nothing any more. */
async function fenceDaily(q: Executor, campaignId: string, limit: number, today: string): Promise<number> {
  const result = await q.raw(
    `UPDATE grants SET daily_start = s.e - s.charge, daily_end = s.e, daily_limit = ${ACROSS}
       FROM (SELECT g.id, g.charge, COALESCE(t.top, 0) + SUM(g.charge) OVER (
                    PARTITION BY g.business_date ORDER BY g.created_at, g.id ROWS UNBOUNDED PRECEDING) AS e
               FROM grants g
               LEFT JOIN (SELECT business_date, MAX(daily_end) AS top FROM grants
                           WHERE ${IN_FORCE} AND daily_end IS NOT NULL GROUP BY business_date) t
                 ON t.business_date = g.business_date
              WHERE g.campaign_id = ? AND g.test = ? AND g.status <> 'void' AND g.charge > 0
                AND g.daily_start IS NULL AND g.business_date >= ?) s
      WHERE grants.id = s.id AND s.e - s.charge < ?`,
    [limit, limit, campaignId, false, campaignId, false, today, limit],
  );
  return changed(result);
}

/**
 * Per-user sequence numbers (limits.perUser): each user's grants without one are numbered after the user's
 * highest, in grant order, up to the limit. Testers' grants count too, as the insert numbers them. `today`: only
 * that business day and later, for the daily limit, numbered per user and business day.
 */
async function fenceUserSeqs(
  q: Executor,
  campaignId: string,
  columns: { seq: 'user_seq' | 'daily_seq'; limit: 'user_limit' | 'daily_user_limit' },
  limit: number,
  today: string | null,
): Promise<number> {
  const { seq, limit: limitColumn } = columns;
  const scope = today === null ? ['user_id'] : ['user_id', 'business_date'];
  const partition = scope.join(', ');
  const partitionOfG = scope.map((c) => `g.${c}`).join(', ');
  const key = scope.map((c) => `g.${c} = t.${c}`).join(' AND ');
  const since = today === null ? '' : 'AND g.business_date >= ?';
  const result = await q.raw(
    `UPDATE grants SET ${seq} = s.n, ${limitColumn} = ?
       FROM (SELECT g.id, COALESCE(t.top, 0) + ROW_NUMBER() OVER (
                    PARTITION BY ${partitionOfG} ORDER BY g.created_at, g.id) AS n
               FROM grants g
               LEFT JOIN (SELECT ${partition}, MAX(${seq}) AS top FROM grants
                           WHERE campaign_id = ? AND status <> 'void' AND ${seq} IS NOT NULL
                           GROUP BY ${partition}) t ON ${key}
              WHERE g.campaign_id = ? AND g.status <> 'void' AND g.${seq} IS NULL ${since}) s
      WHERE grants.id = s.id AND s.n <= ?`,
    [limit, campaignId, campaignId, ...(today === null ? [] : [today]), limit],
  );
  return changed(result);
}

/** Gives the campaign's grants without a position one under each limit of `limits` (see above). */
export async function fenceUnpositionedGrants(
  q: Executor,
  campaignId: string,
  limits: FenceLimits,
  today: string,
): Promise<FencedCounts> {
  const counts: FencedCounts = {
    stockSlots: 0,
    budgetRanges: 0,
    dailyRanges: 0,
    userSeqs: 0,
    dailyUserSeqs: 0,
  };
  for (const [rewardId, limit] of Object.entries(limits.stock)) {
    counts.stockSlots += await fenceStock(q, campaignId, rewardId, limit);
  }
  if (limits.perUserTotal !== null) {
    const columns = { seq: 'user_seq', limit: 'user_limit' } as const;
    counts.userSeqs = await fenceUserSeqs(q, campaignId, columns, limits.perUserTotal, null);
  }
  if (limits.perUserDaily !== null) {
    const columns = { seq: 'daily_seq', limit: 'daily_user_limit' } as const;
    counts.dailyUserSeqs = await fenceUserSeqs(q, campaignId, columns, limits.perUserDaily, today);
  }
  // Last, and only when a budget is fenced: from here to the commit, the campaign's grant writes that carry a
  // budget range wait for this lock (slots and sequence numbers are fenced by unique indexes instead).
  if (limits.budgetTotal === null && limits.budgetDaily === null) return counts;
  await lockRanges(q, campaignId);
  if (limits.budgetTotal !== null) counts.budgetRanges = await fenceBudget(q, campaignId, limits.budgetTotal);
  if (limits.budgetDaily !== null) {
    counts.dailyRanges = await fenceDaily(q, campaignId, limits.budgetDaily, today);
  }
  return counts;
}
