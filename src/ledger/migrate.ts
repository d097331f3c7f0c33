import type { Knex } from 'knex';
import type { Db } from './db';
import { ledgerMigrationSource } from './ledger-migration-source';

const config: Knex.MigratorConfig = {
  migrationSource: ledgerMigrationSource,
  tableName: 'knex_migrations',
};

/**
 * Applies pending migrations; returns the names it ran (empty when up to date). Up to date, it only reads: knex's
 * `latest` takes its migration lock, a write, even with nothing to run, so every CLI verb on the embedded SQLite
 * file waited for another process's write lock (and, after 5 s, failed with a hint to run `knex migrate:unlock`).
 */
export async function migrate(db: Db): Promise<string[]> {
  if ((await migrationStatus(db)).pending.length === 0) return [];
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const [completed, pending] = (await db.migrate.list(config)) as [
    Array<{ name: string } | string>,
    Array<{ name: string }>,
  ];
  return {
    applied: completed.map((m) => (typeof m === 'string' ? m : m.name)),
    pending: pending.map((m) => m.name),
  };
}
