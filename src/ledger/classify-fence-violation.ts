import {
  fenceResourceByConstraint,
  fenceResourceBySqliteUniqueColumns,
  type FenceResource,
} from './fence-constraints';

export type { FenceResource };

const PG_FENCE_CODES = new Set(['23505', '23P01', '23514']);

interface DbErrorShape {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/**
 * Which counted resource the ledger refused, from a driver error thrown by an insert or update:
 * PostgreSQL 23505 (unique), 23P01 (exclusion), 23514 (check) by constraint name; SQLite
 * SQLITE_CONSTRAINT_UNIQUE by column list, _CHECK by constraint name, _TRIGGER by the trigger's message.
 * null for anything else (including deadlocks and foreign keys), which the caller treats as a plain failure.
 */
export function classifyFenceViolation(err: unknown): FenceResource | null {
  if (typeof err !== 'object' || err === null) return null;
  const { code, constraint, message } = err as DbErrorShape;
  if (typeof code !== 'string') return null;
  if (PG_FENCE_CODES.has(code)) {
    return typeof constraint === 'string' ? (fenceResourceByConstraint[constraint] ?? null) : null;
  }
  if (!code.startsWith('SQLITE_CONSTRAINT') || typeof message !== 'string') return null;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /UNIQUE constraint failed: (.+)$/.exec(message)?.[1]?.trim();
    return columns ? (fenceResourceBySqliteUniqueColumns[columns] ?? null) : null;
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK') {
    const name = /CHECK constraint failed: (\w+)/.exec(message)?.[1];
    return name ? (fenceResourceByConstraint[name] ?? null) : null;
  }
  if (code === 'SQLITE_CONSTRAINT_TRIGGER') {
    // The range-fence triggers RAISE(ABORT, '<constraint name>').
    const name = /(grants_\w+_no_overlap)/.exec(message)?.[1];
    return name ? (fenceResourceByConstraint[name] ?? null) : null;
  }
  return null;
}
