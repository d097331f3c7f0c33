import type { Knex } from 'knex';
import { isPostgres, LEDGER_CHANGE_DEADLINE_MS, withStatementDeadline, type Db } from './db';
import { ledgerMigrations, ledgerMigrationSource } from './ledger-migration-source';

const TABLE = 'knex_migrations';
const LOCK_TABLE = 'knex_migrations_lock';

const config: Knex.MigratorConfig = {
  migrationSource: ledgerMigrationSource,
  tableName: TABLE,
};

/**
 * The ledger's schema is not one this pocket runs on: `ledger_newer`, a newer pocket migrated it (knex's own
 * words were "the migration directory is corrupt", with a stack); `ledger_behind`, it lacks migrations this
 * pocket has, and the verb is not one that applies them; `migration_locked`, another process has held the migration
 * lock for longer than this one waits.
 */
export class LedgerSchemaError extends Error {
  constructor(
    readonly code: 'ledger_newer' | 'ledger_behind' | 'migration_locked',
    message: string,
  ) {
    super(message);
    this.name = 'LedgerSchemaError';
  }
}

/**
 * `apply`: the service's own processes (`serve`, `worker`, `migrate`) bring the ledger to this pocket's schema.
 * `refuse`: the other verbs create a new ledger but never change an existing one's schema, so a newer CLI's
 * `pocket report` cannot migrate a production ledger under an older fleet (which then could not restart).
 */
export type PendingMigrations = 'apply' | 'refuse';

/**
 * Applies pending migrations; returns the names it ran (empty when up to date). Up to date, it only reads: knex's
 * `latest` takes its migration lock, a write, even with nothing to run, so every CLI verb on the embedded SQLite
 * file waited for another process's write lock (and, after 5 s, failed with a hint to run `knex migrate:unlock`).
 */
export async function migrate(
  db: Db,
  pendingMigrations: PendingMigrations = 'apply',
  waitMs = MIGRATION_WAIT_MS,
): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    // The lock is read first, as every start has (the embedded ledger's damaged-file check meets a bad page
    // there, before anything is written), but it holds back only a ledger with something to migrate.
    const locked = await migrationLocked(db);
    const ran = await migrateOnce(db, pendingMigrations, locked);
    if (ran !== 'locked') return ran;
    if (Date.now() >= deadline) {
      throw new LedgerSchemaError(
        'migration_locked',
        `another pocket has been migrating the ledger for over ${Math.round(waitMs / 1000)} s ` +
          `(${LOCK_TABLE}.is_locked = 1); if none is, one stopped mid-migration: check the ledger's schema, ` +
          `then clear the lock (UPDATE ${LOCK_TABLE} SET is_locked = 0) (README, "Install and upgrade")`,
      );
    }
    await delay(MIGRATION_POLL_MS);
  }
}

/**
 * One attempt; 'locked' when another process is migrating the same ledger (several verbs, or a fleet's
 * instances, started together on a new or behind ledger): its lock row is set, knex refuses with MigrationLocked,
 * or, on a new SQLite file, two processes both create knex's table and the second fails. A ledger with nothing
 * pending is only read: a lock left set there (a pocket killed mid-migration) stops nobody.
 */
async function migrateOnce(
  db: Db,
  pendingMigrations: PendingMigrations,
  locked: boolean,
): Promise<string[] | 'locked'> {
  const { applied, pending, unknown } = await migrationStatus(db);
  if (unknown.length > 0) {
    throw new LedgerSchemaError(
      'ledger_newer',
      `the ledger was migrated by a newer pocket: it has ${unknown.length} migration(s) this one does not ` +
        `know (${unknown.join(', ')}); run that version or a later one (README, "Install and upgrade")`,
    );
  }
  if (pending.length === 0) return [];
  // Before judging a ledger behind: it may be one that another process is bringing up to date right now.
  if (locked) return 'locked';
  if (pendingMigrations === 'refuse' && applied.length > 0) {
    throw new LedgerSchemaError(
      'ledger_behind',
      `the ledger's schema is older than this pocket's: ${pending.length} migration(s) to apply ` +
        `(${pending.join(', ')}); this verb changes no schema: run \`pocket migrate\` first ` +
        '(README, "Install and upgrade")',
    );
  }
  try {
    const [, ran] = (await db.migrate.latest(config)) as [number, string[]];
    return ran;
  } catch (error) {
    if (!migratingElsewhere(error)) throw error;
    await keepOneLockRow(db);
    return 'locked';
  }
}

/**
 * knex's lock table holds one row, but knex inserts it after seeing the table empty: processes that created a new
 * ledger together could each insert theirs, and with two rows knex's lock (an UPDATE … WHERE is_locked = 0 that
 * must touch exactly one row) failed for every process, for good. The first row is kept; only free ones go.
 */
async function keepOneLockRow(ledger: Db): Promise<void> {
  const db = withStatementDeadline(ledger, LEDGER_CHANGE_DEADLINE_MS);
  if (!(await hasTable(db, LOCK_TABLE))) return;
  await db(LOCK_TABLE).where('is_locked', 0).where('index', '>', db(LOCK_TABLE).min('index')).delete();
}

/** How long a process waits for another's migration of its ledger, and how often it looks. */
const MIGRATION_WAIT_MS = 60_000;
const MIGRATION_POLL_MS = 200;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function migratingElsewhere(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MigrationLocked') return true;
  // knex creates its two tables when missing: a process that lost that race sees them created (SQLite's words,
  // then PostgreSQL's for a table, or for its row type, made by a concurrent CREATE TABLE).
  return /knex_migrations(_lock)?` already exists|relation "knex_migrations(_lock)?" already exists|pg_type_typname_nsp_index/.test(
    error.message,
  );
}

/** Whether knex's lock row says a migration is running (false before the ledger has the table). */
async function migrationLocked(ledger: Db): Promise<boolean> {
  const db = withStatementDeadline(ledger, LEDGER_CHANGE_DEADLINE_MS);
  if (!(await hasTable(db, LOCK_TABLE))) return false;
  const row = (await db(LOCK_TABLE).max({ locked: 'is_locked' }).first()) as { locked?: unknown } | undefined;
  return Number(row?.locked ?? 0) === 1;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations this pocket does not have: a newer one migrated the ledger. */
  unknown: string[];
}

/**
 * Whether the ledger has the table, as `db.schema.hasTable` says (which takes no deadline): on PostgreSQL its
 * own query, in the current schema, under the statement deadline.
 */
async function hasTable(db: Db, table: string): Promise<boolean> {
  if (!isPostgres(db)) return db.schema.hasTable(table);
  const rows = (await db.raw(
    'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
    [table],
  )) as { rows: unknown[] };
  return rows.rows.length > 0;
}

/**
 * Read from knex's table directly: knex's `migrate.list` throws on an applied migration it does not know. Every
 * verb, `serve` and `worker` read it first, so each statement has LEDGER_CHANGE_DEADLINE_MS: a ledger that went
 * silent (a failover) as a verb started left it waiting until TCP gave up.
 */
export async function migrationStatus(ledger: Db): Promise<MigrationStatus> {
  const db = withStatementDeadline(ledger, LEDGER_CHANGE_DEADLINE_MS);
  const applied = (await hasTable(db, TABLE))
    ? ((await db(TABLE).orderBy('id').select('name')) as Array<{ name: string }>).map((m) => m.name)
    : [];
  const known = new Set(ledgerMigrations.map((m) => m.name));
  const done = new Set(applied);
  return {
    applied,
    pending: ledgerMigrations.map((m) => m.name).filter((name) => !done.has(name)),
    unknown: applied.filter((name) => !known.has(name)),
  };
}
