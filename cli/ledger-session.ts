/** Runs a CLI action against the ledger of this environment (DATABASE_URL or the embedded SQLite file). */
import { loadConfig, type Config } from '../src/config';
import { createDb, type Db } from '../src/ledger/db';
import { migrate } from '../src/ledger/migrate';
import { checkBackends } from './check-backends';

/**
 * The ledger of this environment, migrated, with the migrations this call applied. An unreachable
 * DATABASE_URL, or an embedded SQLite file that is not a database, fails first with a message naming it (its
 * password hidden), not a driver stack trace.
 */
export async function openLedger(config: Config): Promise<{ db: Db; applied: string[] }> {
  await checkBackends({ databaseUrl: config.databaseUrl, redisUrl: null, sqliteFile: config.sqliteFile });
  const db = createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqliteFile: config.sqliteFile },
  );
  try {
    return { db, applied: await migrate(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

export async function withLedgerDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, process.cwd(), { secretsOnUse: true });
  const { db } = await openLedger(config);
  try {
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}
