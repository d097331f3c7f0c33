/**
 * SUM of an integer money column, exactly at any size, on both ledgers. PostgreSQL sums bigint into numeric,
 * read as its digits. SQLite sums into a 64-bit integer, which overflows (an error) past 2^63 − 1, and
 * better-sqlite3 reads any integer past 2^53 − 1 into a double: there each value is split at 2^26 and the
 * halves are summed apart, as text, each exact for 2^36 rows of the largest amount. Read with readExactSum.
 */
import type { Knex } from 'knex';
import { isPostgres, type Executor } from './db';

const SPLIT = 67_108_864; // 2^26

export function exactSum(q: Executor, column: string, alias: string): Knex.Raw[] {
  if (isPostgres(q)) return [q.raw('CAST(SUM(??) AS TEXT) AS ??', [column, alias])];
  return [
    q.raw(`CAST(SUM(?? / ${SPLIT}) AS TEXT) AS ??`, [column, `${alias}_high`]),
    q.raw(`CAST(SUM(?? % ${SPLIT}) AS TEXT) AS ??`, [column, `${alias}_low`]),
  ];
}

const digits = (value: unknown): bigint =>
  value === null || value === undefined ? 0n : BigInt(String(value));

/** The sum `exactSum` selected as `alias` (0 over no rows). */
export function readExactSum(row: Record<string, unknown> | undefined, alias: string): bigint {
  if (row === undefined) return 0n;
  if (alias in row) return digits(row[alias]);
  return digits(row[`${alias}_high`]) * BigInt(SPLIT) + digits(row[`${alias}_low`]);
}
