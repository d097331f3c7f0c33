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

/** SQL expressions naming the grant's campaign, user and business date inside nextSeq. */
export interface SeqScope {
  campaignId: string;
  userId: string;
  businessDate: string;
}

const BOUND: SeqScope = { campaignId: ':campaignId', userId: ':userId', businessDate: ':businessDate' };

/**
 * The lowest free sequence number among the user's grants (and date): COALESCE(MAX, 0) + 1 while no grant
 * was voided, and a voided grant's number is reused so a void gives the chance back. Concurrent inserts
 * that compute the same number collide on the unique index; a number above the limit fails the check.
 */
export function nextSeq(seq: 'user_seq' | 'daily_seq', perDate: boolean, of: SeqScope = BOUND): string {
  const scope = (a: string) =>
    `${a}.campaign_id = ${of.campaignId} AND ${a}.user_id = ${of.userId}` +
    (perDate ? ` AND ${a}.business_date = ${of.businessDate}` : '');
  return (
    `(SELECT MIN(c.n) FROM (SELECT 1 AS n UNION ALL SELECT g.${seq} + 1 FROM grants g WHERE ${scope('g')}` +
    ` AND g.${seq} IS NOT NULL) c WHERE NOT EXISTS (SELECT 1 FROM grants h WHERE ${scope('h')} AND h.${seq} = c.n))`
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
  const nullInt = pg ? 'CAST(NULL AS integer)' : 'NULL';
  const names = [...cols.map(([name]) => name), 'user_seq', 'daily_seq'];
  values.push(g.fences.userLimit === null ? nullInt : nextSeq('user_seq', false));
  values.push(g.fences.dailyUserLimit === null ? nullInt : nextSeq('daily_seq', true));
  const sql =
    `INSERT INTO grants (${names.join(', ')}) SELECT ${values.join(', ')} ` + 'RETURNING user_seq, daily_seq';
  return q.raw(sql, bindings);
}
