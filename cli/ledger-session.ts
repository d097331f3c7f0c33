/** Runs a CLI action against the ledger of this environment (DATABASE_URL or the embedded SQLite file). */
import { loadConfig, type Config } from '../src/config';
import { createDb, LEDGER_CHANGE_DEADLINE_MS, withStatementDeadline, type Db } from '../src/ledger/db';
import { migrate, type PendingMigrations } from '../src/ledger/migrate';
import { checkBackends } from './check-backends';
import { CliFailure } from './output';

/**
 * The ledger of this environment at this pocket's schema, with the migrations this call applied: a new ledger
 * is created, an existing one behind this pocket is migrated only by `pocket migrate` (`pendingMigrations`
 * 'apply'), the other verbs stop (see migrate). An unreachable DATABASE_URL, or an embedded SQLite file that is
 * not a database, fails first with a message naming it (its password hidden), not a driver stack trace.
 */
export async function openLedger(
  config: Config,
  pendingMigrations: PendingMigrations = 'refuse',
): Promise<{ db: Db; applied: string[] }> {
  await checkBackends({ databaseUrl: config.databaseUrl, redisUrl: null, sqliteFile: config.sqliteFile });
  const db = createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqliteFile: config.sqliteFile },
  );
  try {
    return { db, applied: await migrate(db, pendingMigrations) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * The ledger as a one-shot verb works on it (`report`, `tokens`, `blocklist`, `discrepancies`, the lifecycle verbs,
 * `reconcile`'s and `grants redeliver`'s own statements): a statement, a transaction's included, left unanswered
 * for LEDGER_CHANGE_DEADLINE_MS fails, and the verb stops with one line (ledgerUnavailable in output.ts) instead
 * of waiting until TCP gives up on a ledger whose connections went silent.
 */
export function withVerbDeadline(db: Db): Db {
  return withStatementDeadline(db, LEDGER_CHANGE_DEADLINE_MS);
}

/**
 * A verb run on this environment's ledger where POCKET_SERVER is set and DATABASE_URL is not: POCKET_SERVER says
 * the operator means a running service, and the verb would have worked on a local SQLite file instead (created
 * under ./data if missing): `blocklist add --user fraudster` printed "blocked user fraudster", exit 0, and the
 * service never saw the block. Lifecycle verbs, `report` and `grants list` go through the server then; the
 * others work on a ledger only, so DATABASE_URL must name it.
 */
export function refuseServerWithoutLedger(): void {
  const server = process.env['POCKET_SERVER'];
  if (!server || process.env['DATABASE_URL']) return;
  throw new CliFailure(
    'POCKET_SERVER is set, but this verb works on a ledger, not through a service: set DATABASE_URL to the ' +
      "service's ledger, or unset POCKET_SERVER to use the local one under ./data",
    2,
  );
}

export async function withLedgerDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  refuseServerWithoutLedger();
  const config = loadConfig(process.env, process.cwd(), { secretsOnUse: true });
  const { db } = await openLedger(config);
  try {
    return await fn(withVerbDeadline(db), config);
  } finally {
    await db.destroy();
  }
}
