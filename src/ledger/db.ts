/**
 * The ledger's database handle: PostgreSQL (`DATABASE_URL`) in production, a SQLite file (better-sqlite3)
 * as the embedded default. Both run the same migrations and the same stores.
 */
import { dirname, resolve } from 'node:path';
import { inspect } from 'node:util';
import knex, { type Knex } from 'knex';
import { makeDirectory } from '../shared/make-directory';
import { waitForWriteLock } from './sqlite-write-lock';

export type Db = Knex;
/** What a store method runs on: the pool, or the transaction the service opened. */
export type Executor = Knex | Knex.Transaction;

export interface DbOptions {
  /** postgres://… — selects PostgreSQL. */
  databaseUrl?: string;
  /** SQLite file, used when databaseUrl is absent; default ./data/pocket.sqlite. */
  sqliteFile?: string;
  /** PostgreSQL search_path, e.g. "tenant_a,public". */
  searchPath?: string;
  pool?: { min: number; max: number };
  /** SQLite busy_timeout in ms (default 5000; 0 with lockWaitMs). */
  busyTimeoutMs?: number;
  /**
   * SQLite: a write waits for another process's write lock on timers, up to this long, instead of in SQLite's
   * busy_timeout with the event loop blocked (sqlite-write-lock.ts). The service and `pocket worker` set it; a
   * one-shot CLI verb, which has nothing else to do meanwhile, keeps the 5 s busy_timeout (openLedgerDb).
   */
  lockWaitMs?: number;
  /**
   * PostgreSQL: how long a query waits for a pooled connection, and a new connection for the server's answer,
   * before it fails (default: knex's 60 s, and no limit on connecting). The service sets a short one: while the
   * ledger stalls, requests would otherwise queue behind the stuck connections for a minute instead of answering
   * 503 at once.
   */
  acquireTimeoutMs?: number;
  /** knex's own messages (a failed connection acquire, a deprecation); default: one line each on stderr. */
  log?: (message: string) => void;
}

const defaultSqliteFile = 'data/pocket.sqlite';

/**
 * How long a participation waits for the ledger to take its statement (a pooled connection, a new connection's
 * answer, its turn in a batch) before it answers 503: while the ledger stalls (a failover, a network
 * partition), only the statements already sent wait for it, instead of every request queueing behind them.
 */
export const LEDGER_WAIT_MS = 2000;

/**
 * How long a statement of the participation hot path (the idempotency lookup, the grant write) may go unanswered
 * before its connection is closed (pg-prepared.ts): a connection that stopped answering (half-open after a
 * failover) would otherwise hold its batch, and with it every later lookup or write, until TCP gave up. A write
 * cut off this way has an unknown outcome, settled by reconciliation like any other.
 */
export const LEDGER_STATEMENT_DEADLINE_MS = 5000;
/**
 * How long a statement that scans a campaign's grants may go unanswered (a counter rebuild, a reconciliation's
 * reads, the alerts' spend sums): longer than a single-row statement, still bounded.
 */
export const LEDGER_SCAN_DEADLINE_MS = 30_000;

/**
 * How long a statement of an admin request or a lifecycle verb (publish, rollback, pause, resume, their reads, a
 * report, a token) may go unanswered: a publish's activation checks scan a campaign's grants, and the answer, a 503,
 * must come before `pocket … --server`'s own 30 s timeout.
 */
export const LEDGER_CHANGE_DEADLINE_MS = 20_000;
/**
 * `query` with knex's timeout when `deadlineMs` is given: unanswered by then, it fails with KnexTimeoutError (503 on
 * the participation path) and knex drops its connection instead of giving it back to the pool. The statement may
 * still complete on the server: a write cut off this way has an unknown outcome, as in pg-prepared.ts.
 */
export function withDeadline<Q extends { timeout(ms: number): Q }>(
  query: Q,
  deadlineMs: number | undefined,
): Q {
  return deadlineMs === undefined ? query : query.timeout(deadlineMs);
}

/**
 * `db`, with `deadlineMs` on every statement it runs by itself (`db(table)…`, `db.raw(…)`, `db.select(…)…`), as
 * `withDeadline` gives one, and on every statement of a transaction opened on it (`transactionWithDeadline`): for
 * the service's reads, background statements and the worker's jobs, none of which may wait for ever on a
 * connection that stopped answering. SQLite: `db` itself (a statement blocks the event loop, so no timer could
 * fire; its one connection must stay; the service's writes wait for another process's lock up to its lockWaitMs).
 */
export function withStatementDeadline(db: Db, deadlineMs: number): Db {
  if (!isPostgres(db)) return db;
  const bounded = new Map<PropertyKey, unknown>();
  for (const name of STATEMENT_STARTERS) {
    const start = (db[name] as (...args: unknown[]) => { timeout(ms: number): unknown }).bind(db);
    bounded.set(name, (...args: unknown[]) => start(...args).timeout(deadlineMs));
  }
  bounded.set('transaction', (handler: unknown, config?: Knex.TransactionConfig) =>
    typeof handler === 'function'
      ? transactionWithDeadline(
          db,
          deadlineMs,
          handler as (trx: Knex.Transaction) => Promise<unknown>,
          config,
        )
      : db.transaction(handler as null, config),
  );
  return new Proxy(db, {
    apply: (target, _this, args: Parameters<Db>) => target(...args).timeout(deadlineMs),
    get: (target, name, receiver) => bounded.get(name) ?? Reflect.get(target, name, receiver),
  });
}

/** The methods of a knex instance that start a statement besides `db(table)`: `db.select(…).from(…)` and the like. */
const STATEMENT_STARTERS = ['raw', 'select', 'from', 'queryBuilder'] as const;

/** The ledger did not answer a statement in time; its connection was closed. */
export class StatementDeadlineExceeded extends Error {
  constructor(
    deadlineMs: number,
    readonly error: unknown,
  ) {
    super(`Connection terminated: the ledger did not answer within ${deadlineMs} ms`);
  }
}

/** The parts of knex's client and of a pg connection that a transaction's deadline uses. */
interface PooledPgClient {
  acquireConnection(): Promise<PgConnectionSocket>;
  releaseConnection(connection: PgConnectionSocket): Promise<void>;
}

interface PgConnectionSocket {
  connection: {
    stream: {
      destroy(): void;
      on(event: 'data', listener: () => void): unknown;
      off(event: 'data', listener: () => void): unknown;
    };
  };
}

/**
 * `db.transaction(handler)` on a connection whose statements, BEGIN and COMMIT included, may each go unanswered
 * for `deadlineMs` at most (the clock restarts with every answer): past it the connection's socket is destroyed, so
 * the statement waiting and any later one fail at once, and the transaction fails with StatementDeadlineExceeded
 * instead of waiting until TCP gives up. Nothing of it is committed, unless COMMIT itself was the statement cut
 * off: then the whole transaction may have been (a retry of an idempotent change finds it made).
 * PostgreSQL gets the same limits for the transaction (SET LOCAL, before any query, so that the transaction may
 * still set its isolation level): a client gone silent or away, whose closed socket may never reach the server,
 * leaves no session holding its locks (a lifecycle change's advisory lock, the rows it updated) past them.
 */
async function transactionWithDeadline<T>(
  db: Db,
  deadlineMs: number,
  handler: (trx: Knex.Transaction) => Promise<T>,
  config: Knex.TransactionConfig | undefined,
): Promise<T> {
  const client = db.client as PooledPgClient;
  const connection = await client.acquireConnection();
  const socket = connection.connection.stream;
  let expired = false;
  const watchdog = setTimeout(() => {
    expired = true;
    socket.destroy();
  }, deadlineMs);
  const answered = (): void => {
    watchdog.refresh();
  };
  socket.on('data', answered);
  try {
    return await db.transaction(
      async (trx) => {
        await trx.raw(
          `SET LOCAL statement_timeout = ${deadlineMs}; ` +
            `SET LOCAL idle_in_transaction_session_timeout = ${deadlineMs}`,
        );
        return handler(trx);
      },
      { ...config, connection },
    );
  } catch (error) {
    if (expired) throw new StatementDeadlineExceeded(deadlineMs, error);
    throw error;
  } finally {
    clearTimeout(watchdog);
    socket.off('data', answered);
    await client.releaseConnection(connection);
  }
}

const INT8_OID = 20;

/** int8 (bigint, count(*)) as a JS number; refuses values a double cannot hold exactly. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${text} is outside Number.MAX_SAFE_INTEGER`);
  }
  return n;
}

interface PgDriver {
  types: { setTypeParser(oid: number, parse: (text: string) => unknown): void };
}

interface PgSession {
  query(text: string, callback: (error: Error | null) => void): void;
}

/**
 * Every session: READ COMMITTED (see createDb), and PostgreSQL ends one left idle inside a transaction for a minute
 * (longer than any of pocket's transactions waits between its statements): a client that went silent or away
 * mid-transaction, whose closed socket may never reach the server, held its locks until TCP keepalive noticed
 * (hours with the server's defaults), and a proxy that stops forwarding is never noticed at all.
 */
const SESSION_SETTINGS =
  'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED; ' +
  'SET idle_in_transaction_session_timeout = 60000';

/**
 * TCP keepalive on the pool's connections, probing after 10 s of silence: an idle pooled connection whose server
 * vanished (a failover to another host) is found dead and dropped instead of being given to the next statement.
 */
const KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 };

interface SqliteConnection {
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  prepare(sql: string): unknown;
}

/** Statements kept per SQLite connection: every text pocket runs, with room for what varies (`IN (?, ?…)`). */
const PREPARED_STATEMENTS = 500;

/**
 * knex prepares every query anew on better-sqlite3, which was a fifth of the embedded service's CPU under load
 * (the grant insert alone 0.25 ms to prepare, more than it takes to run). Statements are kept by their text, the
 * oldest dropped past PREPARED_STATEMENTS; knex runs each to completion (`all`/`run`, never `iterate`) and never
 * changes one's mode, so reusing them is safe, and SQLite re-prepares one itself after a schema change.
 */
function keepPreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size >= PREPARED_STATEMENTS) kept.delete(kept.keys().next().value as string);
      kept.set(sql, statement);
    }
    return statement;
  };
}

/**
 * knex's own messages (a failed connection acquire, a deprecation) go to stderr: by default it prints them with
 * console.log, on stdout, where they would break a CLI command's `--format json` output.
 */
const toStderr = (message: unknown): void => {
  process.stderr.write(`${typeof message === 'string' ? message : inspect(message)}\n`);
};

/**
 * knex's words when another process holds its migration lock, with advice to run `knex migrate:unlock`: migrate()
 * waits for that process instead, and names the lock itself when it is held too long (src/ledger/migrate.ts).
 */
const MIGRATION_LOCK_WARNING =
  /^Can't take lock to run migrations|^If you are sure migrations are not running/;

function knexLog(sink: ((message: string) => void) | undefined): NonNullable<Knex.Config['log']> {
  const write = sink
    ? (message: unknown) => sink(typeof message === 'string' ? message : inspect(message))
    : toStderr;
  const warn = (message: unknown): void => {
    if (typeof message !== 'string' || !MIGRATION_LOCK_WARNING.test(message)) write(message);
  };
  return { warn, error: write, deprecate: write, debug: write };
}

export function createDb(opts: DbOptions): Db {
  const log = knexLog(opts.log);
  if (opts.databaseUrl) {
    const db = knex({
      log,
      client: 'pg',
      connection: {
        connectionString: opts.databaseUrl,
        ...KEEPALIVE,
        ...(opts.acquireTimeoutMs === undefined ? {} : { connectionTimeoutMillis: opts.acquireTimeoutMs }),
      },
      ...(opts.acquireTimeoutMs === undefined ? {} : { acquireConnectionTimeout: opts.acquireTimeoutMs }),
      ...(opts.searchPath ? { searchPath: opts.searchPath.split(',').map((s) => s.trim()) } : {}),
      pool: {
        ...(opts.pool ?? { min: 0, max: 10 }),
        // The ledger's fences assume READ COMMITTED (the range-fence triggers refuse any other level): a server or
        // database default of REPEATABLE READ or SERIALIZABLE does not reach pocket's sessions.
        afterCreate(connection: PgSession, done: (error: Error | null, connection: PgSession) => void) {
          connection.query(SESSION_SETTINGS, (error) => done(error, connection));
        },
      },
    });
    // pg's type parsers are process-wide: every pool (and the knex migrator) gets numbers for int8.
    (db.client.driver as PgDriver).types.setTypeParser(INT8_OID, parseInt8);
    return db;
  }
  const file = opts.sqliteFile ?? defaultSqliteFile;
  if (file !== ':memory:') makeDirectory(dirname(resolve(file)));
  const busyTimeout = opts.busyTimeoutMs ?? (opts.lockWaitMs === undefined ? 5000 : 0);
  const db = knex({
    log,
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    // One connection: better-sqlite3 is synchronous, so a second writer would block the event loop on
    // busy_timeout while the first one cannot finish. Transactions queue in the pool instead.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        try {
          conn.pragma('journal_mode = WAL');
          conn.pragma(`busy_timeout = ${busyTimeout}`);
          conn.pragma('foreign_keys = ON');
          // An answered grant survives a power loss, as on PostgreSQL (synchronous_commit = on): NORMAL could roll
          // back the last commits, 201s included, and a stock slot then be given out twice. Its fsync a commit
          // costs about a sixth of the embedded service's throughput (README Decisions, "The embedded ledger").
          conn.pragma('synchronous = FULL');
          keepPreparedStatements(conn);
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
  });
  beginImmediate(db);
  if (opts.lockWaitMs !== undefined) waitForWriteLock(db, opts.lockWaitMs, (message) => log.warn?.(message));
  return db;
}

interface SqliteTransaction {
  begin(connection: SqliteConnection): Promise<unknown>;
}

/**
 * SQLite transactions take the write lock when they begin (`BEGIN IMMEDIATE`), waiting for it up to busy_timeout.
 * knex's plain `BEGIN` is deferred: a transaction that reads, then writes (a publish or pause reads the active
 * version first) fails at once with SQLITE_BUSY, busy_timeout or not, when another process wrote the file in
 * between, as the service does with every grant while `pocket publish` or `pause` runs against its file.
 * It runs on the connection itself: through knex's `trx.query`, a refused BEGIN still ran the transaction's
 * handler (each statement then failing), so nobody could tell it from a failure inside the transaction, which
 * the service's wait for the lock (sqlite-write-lock.ts) must not try again.
 */
function beginImmediate(db: Knex): void {
  const client = db.client as { transaction: (...args: unknown[]) => SqliteTransaction };
  const create = client.transaction.bind(client);
  client.transaction = (...args: unknown[]) => {
    const trx = create(...args);
    trx.begin = async (connection) => connection.exec('BEGIN IMMEDIATE');
    return trx;
  };
}

interface SqlitePool {
  acquireConnection(): Promise<SqliteConnection & { inTransaction: boolean }>;
  releaseConnection(connection: SqliteConnection): Promise<unknown>;
}

/**
 * SQLite, after a COMMIT that raised: rolls back the transaction if SQLite kept it open (it does after some
 * COMMIT failures, a deferred constraint's or a busy one's), since knex, seeing COMMIT fail, sends no ROLLBACK and
 * would hand the connection on still inside it. Afterwards nothing of that transaction can commit any more.
 */
export async function endFailedTransaction(db: Db): Promise<void> {
  const pool = db.client as SqlitePool;
  const connection = await pool.acquireConnection();
  try {
    if (connection.inTransaction) connection.exec('ROLLBACK');
  } finally {
    await pool.releaseConnection(connection);
  }
}

export function isPostgres(db: Executor): boolean {
  const client = db.client as { dialect?: string };
  return client.dialect === 'postgresql';
}
