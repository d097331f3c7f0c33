import type { Knex } from 'knex';
import { fenceConstraints as c } from '../fence-constraints';

/**
 * PostgreSQL: the budget and daily range fences move from the two GiST exclusion constraints to triggers that
 * do the same check set-based, once per statement, on the btree indexes of 20261125000400. A batch of
 * grants then costs one advisory lock per campaign and one index probe per range, instead of a GiST insertion
 * per range, the largest single share of the ledger's work per participation (README "Participation
 * throughput").
 *
 * How it stays a fence under concurrency: the trigger takes a transaction-scoped advisory lock per campaign
 * (in a fixed order), and only then looks for overlaps. Its queries take a new snapshot (READ COMMITTED, a
 * volatile function), so they see every range committed by a writer that held the lock before; a writer that
 * takes it after sees ours. Because stored ranges never overlap, a new range overlaps some range iff it
 * overlaps its predecessor (the range with the greatest start below its end, itself excluded): one probe of the
 * (campaign_id[, business_date], start) index per new range, the same probe as the SQLite triggers. A refusal
 * is raised as an exclusion violation (23P01) under the old constraint's name, so it is classified as before.
 *
 * Inserts are checked per statement (a transition table); an update is checked per row, and only when it gives
 * a grant a range it did not have (a void clears them, a status change keeps them: neither runs the check).
 *
 * The functions are planned with sorts disabled: a probe is an ordered read of the range index, and while the
 * statistics say the campaign has few grants (a fresh ledger, a new campaign), the campaign's reporting index plus
 * a sort costs about the same; a plan that picked it (plans last the session) read every range of the campaign
 * for each new one. Without sorts the range index's ordered scan is the only plan left. JIT is off as well: a
 * sort a query cannot do without (the lock order) keeps its "disabled" cost, far above jit_above_cost, and
 * PostgreSQL would compile that query on every call (about 100 ms each, measured).
 */
const LOCK_CLASS = 0x706f636b; // 'pock': the first key of pocket's two-key advisory locks

/** SQL that raises when a new row's range overlaps its predecessor's: `rows` is the new rows' relation. */
function overlapCheck(rows: string, prefix: 'budget' | 'daily', constraint: string, label: string): string {
  const sameDate = prefix === 'daily' ? ' AND g.business_date = n.business_date' : '';
  return `
  SELECT n.campaign_id, n.${prefix}_start AS range_start, n.${prefix}_end AS range_end INTO hit
    FROM ${rows} n
    CROSS JOIN LATERAL (
      SELECT g.${prefix}_end FROM grants g
       WHERE g.campaign_id = n.campaign_id${sameDate} AND g.${prefix}_start IS NOT NULL
         AND g.${prefix}_start < n.${prefix}_end AND g.id <> n.id
       ORDER BY g.${prefix}_start DESC LIMIT 1) p
   WHERE n.${prefix}_start IS NOT NULL AND p.${prefix}_end > n.${prefix}_start
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'exclusion_violation', CONSTRAINT = '${constraint}', TABLE = 'grants',
      MESSAGE = format('${label} range [%s, %s) of campaign %s overlaps a range already granted',
                       hit.range_start, hit.range_end, hit.campaign_id);
  END IF;`;
}

/**
 * The lock of each campaign the rows fence, in the order of the lock keys (so two writers cannot deadlock). Only
 * under READ COMMITTED do the probes that follow see the ranges committed while the lock was awaited.
 */
function lockCampaigns(rows: string): string {
  return `
  FOR lock_key IN
    SELECT DISTINCT hashtext(TG_TABLE_SCHEMA || '.' || n.campaign_id) FROM ${rows} n
     WHERE n.budget_start IS NOT NULL OR n.daily_start IS NOT NULL ORDER BY 1
  LOOP
    IF current_setting('transaction_isolation') <> 'read committed' THEN
      RAISE EXCEPTION 'grant range fences need READ COMMITTED (this transaction is %)',
        current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, lock_key);
  END LOOP;`;
}

function fenceFunction(name: string, rows: string): string {
  return `
CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT SET enable_sort = off SET jit = off AS $fence$
DECLARE
  lock_key integer;
  hit record;
BEGIN${lockCampaigns(rows)}${overlapCheck(rows, 'budget', c.budgetNoOverlap, 'budget')}${overlapCheck(rows, 'daily', c.dailyNoOverlap, 'daily budget')}
  RETURN NULL;
END
$fence$`;
}

const statementFunction = 'grants_range_fence_statement';
const rowFunction = 'grants_range_fence_row';
const insertTrigger = 'grants_range_fence_insert';
const updateTrigger = 'grants_range_fence_update';

/** What ledgers created before this migration had (and what down() restores): GiST exclusion constraints. */
async function restoreRangeExclusions(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.raw(
    `ALTER TABLE grants ADD CONSTRAINT ${c.budgetNoOverlap} EXCLUDE USING gist ` +
      '(campaign_id WITH =, int8range(budget_start, budget_end) WITH &&) WHERE (budget_start IS NOT NULL)',
  );
  await knex.raw(
    `ALTER TABLE grants ADD CONSTRAINT ${c.dailyNoOverlap} EXCLUDE USING gist ` +
      '(campaign_id WITH =, business_date WITH =, int8range(daily_start, daily_end) WITH &&) ' +
      'WHERE (daily_start IS NOT NULL)',
  );
}

/** An update that gives a row a range it did not have (a new start, end, or for daily ranges, date). */
const gainsRange = (p: 'budget' | 'daily') => {
  const key = (row: string) =>
    `${row}.${p}_start, ${row}.${p}_end${p === 'daily' ? `, ${row}.business_date` : ''}`;
  return `(NEW.${p}_start IS NOT NULL AND (${key('NEW')}) IS DISTINCT FROM (${key('OLD')}))`;
};

export const grantRangeFenceTriggersMigration: Knex.Migration = {
  async up(knex) {
    if (knex.client.dialect !== 'postgresql') return; // SQLite keeps its triggers (20261125000400)
    await knex.raw(fenceFunction(statementFunction, 'fenced_rows'));
    // A row trigger has no transition table: the row itself, as a one-row relation.
    await knex.raw(fenceFunction(rowFunction, '(SELECT NEW.*)'));
    await knex.raw(`DROP TRIGGER IF EXISTS ${insertTrigger} ON grants`);
    await knex.raw(
      `CREATE TRIGGER ${insertTrigger} AFTER INSERT ON grants REFERENCING NEW TABLE AS fenced_rows ` +
        `FOR EACH STATEMENT EXECUTE FUNCTION ${statementFunction}()`,
    );
    await knex.raw(`DROP TRIGGER IF EXISTS ${updateTrigger} ON grants`);
    await knex.raw(
      `CREATE TRIGGER ${updateTrigger} AFTER UPDATE ON grants FOR EACH ROW ` +
        `WHEN (${gainsRange('budget')} OR ${gainsRange('daily')}) ` +
        `EXECUTE FUNCTION ${rowFunction}()`,
    );
    await knex.raw(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS ${c.budgetNoOverlap}`);
    await knex.raw(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS ${c.dailyNoOverlap}`);
  },
  async down(knex) {
    if (knex.client.dialect !== 'postgresql') return;
    await knex.raw(`DROP TRIGGER IF EXISTS ${insertTrigger} ON grants`);
    await knex.raw(`DROP TRIGGER IF EXISTS ${updateTrigger} ON grants`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${statementFunction}()`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${rowFunction}()`);
    await restoreRangeExclusions(knex);
  },
};
