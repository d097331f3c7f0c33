import type { Knex } from 'knex';
import type { Db } from './db';
import { ledgerMigrations, ledgerMigrationSource } from './ledger-migration-source';

const TABLE = 'knex_migrations';

const config: Knex.MigratorConfig = {
  migrationSource: ledgerMigrationSource,
  tableName: TABLE,
};

/**
 * The ledger's schema is not one this pocket runs on: `ledger_newer`, a newer pocket migrated it (knex's own
 * words were "the migration directory is corrupt", with a stack).
 */
export class LedgerSchemaError extends Error {
  constructor(
    readonly code: 'ledger_newer',
    message: string,
  ) {
    super(message);
    this.name = 'LedgerSchemaError';
  }
}

/**
 * Applies pending migrations; returns the names it ran (empty when up to date). Up to date, it only reads: knex's
 * `latest` takes its migration lock, a write, even with nothing to run, so every CLI verb on the embedded SQLite
 * file waited for another process's write lock (and, after 5 s, failed with a hint to run `knex migrate:unlock`).
 */
export async function migrate(db: Db): Promise<string[]> {
  const { pending, unknown } = await migrationStatus(db);
  if (unknown.length > 0) {
    throw new LedgerSchemaError(
      'ledger_newer',
      `the ledger was migrated by a newer pocket: it has ${unknown.length} migration(s) this one does not ` +
        `know (${unknown.join(', ')}); run that version or a later one (README, "Install and upgrade")`,
    );
  }
  if (pending.length === 0) return [];
  const [, ran] = (await db.migrate.latest(config)) as [number, string[]];
  return ran;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations this pocket does not have: a newer one migrated the ledger. */
  unknown: string[];
}

/** Read from knex's table directly: knex's `migrate.list` throws on an applied migration it does not know. */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const applied = (await db.schema.hasTable(TABLE))
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
