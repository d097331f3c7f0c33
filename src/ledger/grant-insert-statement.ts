import type { Knex } from 'knex';
import { isPostgres, type Executor } from './db';
import type { NewGrant } from './grant-store';

export type Value = string | number | boolean | Date | null;

/** [column, value, PostgreSQL type]: INSERT … SELECT parameters need explicit types on PostgreSQL. */
export function grantColumns(g: NewGrant): Array<[string, Value, string]> {
  const f = g.fences;
  return [
    ['id', g.id, 'text'],
    ['participation_id', g.participationId, 'text'],
    ['reservation_id', g.reservationId, 'text'],
    ['campaign_id', g.campaignId, 'text'],
    ['campaign_version', g.campaignVersion, 'integer'],
    ['user_id', g.userId, 'text'],
    ['reward_id', g.rewardId, 'text'],
    ['reward_type', g.rewardType, 'text'],
    ['segment_id', g.segmentId, 'text'],
    ['amount', g.amount, 'bigint'],
    ['charge', g.charge, 'bigint'],
    ['currency', g.currency, 'text'],
    ['business_date', g.businessDate, 'text'],
    ['test', g.test, 'boolean'],
    ['status', 'pending', 'text'],
    ['stock_slot', f.stockSlot, 'integer'],
    ['stock_limit', f.stockLimit, 'integer'],
    ['budget_start', f.budgetRange?.[0] ?? null, 'bigint'],
    ['budget_end', f.budgetRange?.[1] ?? null, 'bigint'],
    ['budget_limit', f.budgetLimit, 'bigint'],
    ['daily_start', f.dailyRange?.[0] ?? null, 'bigint'],
    ['daily_end', f.dailyRange?.[1] ?? null, 'bigint'],
    ['daily_limit', f.dailyLimit, 'bigint'],
    ['user_limit', f.userLimit, 'integer'],
    ['daily_user_limit', f.dailyUserLimit, 'integer'],
    ['created_at', g.createdAt, 'timestamptz'],
    ['updated_at', g.createdAt, 'timestamptz'],
  ];
}

/**
 * The lowest free sequence number among the user's grants (and date): COALESCE(MAX, 0) + 1 while no grant
 * was voided, and a voided grant's number is reused so a void gives the chance back. Concurrent inserts
 * that compute the same number collide on the unique index; a number above the limit fails the check.
 *
 * Read as the user's numbers in the order of the unique index on (campaign, user[, date], seq): the first
 * position k whose number is not k is free (the ones before are 1..k-1), else count + 1. This is SQLite's form,
 * inline; PostgreSQL runs the same query in grants_next_seqs (migration 20261126000200 says why).
 */
function nextSeq(seq: 'user_seq' | 'daily_seq', perDate: boolean): string {
  const scope =
    'g.campaign_id = :campaignId AND g.user_id = :userId' +
    (perDate ? ' AND g.business_date = :businessDate' : '');
  return (
    '(SELECT COALESCE(MIN(t.rn) FILTER (WHERE t.n <> t.rn), COUNT(*) + 1) FROM ' +
    `(SELECT g.${seq} AS n, row_number() OVER (ORDER BY g.${seq}) AS rn FROM grants g ` +
    `WHERE ${scope} AND g.${seq} IS NOT NULL) t)`
  );
}

/** ONE statement: INSERT INTO grants … SELECT <values>, <user_seq>, <daily_seq> RETURNING user_seq, daily_seq. */
export function grantInsertStatement(q: Executor, g: NewGrant): Knex.Raw {
  const pg = isPostgres(q);
  const cols = grantColumns(g);
  const bindings: Record<string, Value> = {
    campaignId: g.campaignId,
    userId: g.userId,
    businessDate: g.businessDate,
  };
  const values = cols.map(([, value, type], i) => {
    bindings[`v${i}`] = value;
    return pg ? `CAST(:v${i} AS ${type})` : `:v${i}`;
  });
  const names = [...cols.map(([name]) => name), 'user_seq', 'daily_seq'];
  const { userLimit, dailyUserLimit } = g.fences;
  let sql: string;
  if (pg) {
    // One call of grants_next_seqs, as the batched write makes (grant-write-statement.ts).
    bindings['userLimit'] = userLimit;
    bindings['dailyUserLimit'] = dailyUserLimit;
    const one = (binding: string, type: string) => `ARRAY[CAST(:${binding} AS ${type})]`;
    values.push('s.next_user_seq', 's.next_daily_seq');
    sql =
      `INSERT INTO grants (${names.join(', ')}) SELECT ${values.join(', ')} FROM grants_next_seqs(` +
      `${one('campaignId', 'text')}, ${one('userId', 'text')}, ${one('businessDate', 'text')}, ` +
      `${one('userLimit', 'integer')}, ${one('dailyUserLimit', 'integer')}) s RETURNING user_seq, daily_seq`;
  } else {
    values.push(userLimit === null ? 'NULL' : nextSeq('user_seq', false));
    values.push(dailyUserLimit === null ? 'NULL' : nextSeq('daily_seq', true));
    sql = `INSERT INTO grants (${names.join(', ')}) SELECT ${values.join(', ')} RETURNING user_seq, daily_seq`;
  }
  return q.raw(sql, bindings);
}
