import type { Knex } from 'knex';

/**
 * PostgreSQL: the per-user sequence numbers of the grants a statement inserts (for each, the lowest free one among
 * the user's grants in the campaign, and on the business date) come from one function the insert joins, called
 * once per statement and planned with sorts disabled.
 *
 * Why: the number is read as the user's numbers in the order of the unique index on (campaign, user[, date],
 * seq). The campaign's reporting indexes, (campaign, created_at) and (campaign, status), match the campaign too,
 * and while the statistics say the campaign has few grants (a fresh ledger, or a new campaign in a large one
 * until the next ANALYZE, which on a big table comes after 10% of it changed) they cost about the same, so the
 * planner may pick one plus a sort. Then every grant scans every grant of its campaign: during a flash sale that
 * is quadratic (the benchmark fell to a third of its rate). With sorts disabled, the only plan left without a
 * sort is the unique index's, whatever the statistics say. A function with a SET clause is not inlined, so the
 * setting holds while its query is planned, and only there. JIT is off too (see 20261126000100: a plan that
 * still needed a sort would cost enough to be compiled on every call).
 *
 * STABLE: like the subqueries it replaces, it sees the grants committed before the calling statement (two
 * grants of one user in one statement compute the same number and collide on the unique index, as two
 * concurrent transactions do). SQLite keeps the same query inline (grant-insert-statement.ts); its planner
 * picks the index that matches the most equality columns.
 */
const lowestFree = (seq: string, scope: string) =>
  '(SELECT CAST(COALESCE(MIN(t.rn) FILTER (WHERE t.n <> t.rn), COUNT(*) + 1) AS integer) FROM ' +
  `(SELECT g.${seq} AS n, row_number() OVER (ORDER BY g.${seq}) AS rn FROM grants g ` +
  `WHERE ${scope} AND g.${seq} IS NOT NULL) t)`;

const NAME = 'grants_next_seqs';
const ARGS = 'campaigns text[], users text[], dates text[], user_limits integer[], daily_limits integer[]';

/** One call per statement: the numbers of every grant it inserts (null where the version has no such limit). */
export const GRANT_SEQS_QUERY =
  'SELECT k.i, ' +
  `CASE WHEN k.ul IS NULL THEN NULL ELSE ${lowestFree('user_seq', 'g.campaign_id = k.c AND g.user_id = k.u')} END, ` +
  'CASE WHEN k.dl IS NULL THEN NULL ELSE ' +
  `${lowestFree('daily_seq', 'g.campaign_id = k.c AND g.user_id = k.u AND g.business_date = k.d')} END ` +
  'FROM unnest($1, $2, $3, $4, $5) WITH ORDINALITY AS k (c, u, d, ul, dl, i)';

/**
 * grants_next_seqs in `language`: what every version of it shares (its signature, result and settings), so that
 * a later one replaces it in place. `body` computes GRANT_SEQS_QUERY.
 */
export function createGrantSeqsFunction(language: 'sql' | 'plpgsql', body: string): string {
  return (
    `CREATE OR REPLACE FUNCTION ${NAME}(${ARGS}) ` +
    `RETURNS TABLE (i bigint, next_user_seq integer, next_daily_seq integer) LANGUAGE ${language} STABLE ` +
    `SET search_path FROM CURRENT SET enable_sort = off SET jit = off AS $seq$ ${body} $seq$`
  );
}

export const grantSeqFunctionsMigration: Knex.Migration = {
  async up(knex) {
    if (knex.client.dialect !== 'postgresql') return;
    await knex.raw(createGrantSeqsFunction('sql', GRANT_SEQS_QUERY));
  },
  async down(knex) {
    if (knex.client.dialect !== 'postgresql') return;
    await knex.raw(`DROP FUNCTION IF EXISTS ${NAME}(text[], text[], text[], integer[], integer[])`);
  },
};
