/** Runs a CLI action against the ledger of this environment (DATABASE_URL or the embedded SQLite file). */
import { loadConfig, type Config } from '../src/config';
import { createDb, type Db } from '../src/ledger/db';
import { migrate } from '../src/ledger/migrate';

export async function withLedgerDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqliteFile: config.sqliteFile },
  );
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}
