/** Column value conversions shared by the row mappers (PostgreSQL and SQLite return different shapes). */

type Row = Record<string, unknown>;

/** bigint/int8/numeric/count as a number (PostgreSQL returns SUM(bigint) as a numeric string). */
export function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || !Number.isFinite(n)) {
    throw new TypeError(`expected a number column value, got ${String(value)}`);
  }
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    throw new RangeError(`column value ${String(value)} is outside Number.MAX_SAFE_INTEGER`);
  }
  return n;
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** timestamptz: a Date on PostgreSQL, epoch milliseconds on SQLite (knex binds Dates as valueOf()). */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') return new Date(/^\d+$/.test(value) ? Number(value) : value);
  throw new TypeError(`expected a timestamp column value, got ${String(value)}`);
}

export function toNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** boolean: true/false on PostgreSQL, 1/0 on SQLite. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

export function toNullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The rows of a `knex.raw()` result: an array on SQLite, `{ rows }` on PostgreSQL. */
export function rawRows(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

export function parseJson<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : (JSON.parse(String(value)) as T);
}
