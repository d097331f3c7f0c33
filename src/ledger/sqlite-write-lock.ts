/**
 * The embedded service's and `pocket worker`'s wait for the SQLite file's write lock while another program holds
 * it (a `sqlite3` shell with a transaction open, a database browser, a `pocket` verb). better-sqlite3 is
 * synchronous: SQLite's own busy_timeout waited for the lock with the event loop blocked, so while the lock was
 * held every request of the service (health checks, reads, /metrics) stalled for 5 s at each write tried, over
 * and over, and so did the worker's timers (lease renewals, cron turns, its issuer calls' timeouts).
 *
 * Here the connection's busy_timeout is 0, and a write refused with SQLITE_BUSY (a transaction's
 * `BEGIN IMMEDIATE`, a statement outside a transaction) waits for the lock on timers and is tried again, for
 * `waitMs` at most, then fails with SqliteLockedError (503 `dependency_unavailable` on the participation path, a
 * failed turn in the worker).
 * Between tries it does not hold the pool's one connection, so reads go on (WAL: they never need the write lock).
 * One probe at a time (`BEGIN IMMEDIATE`, `ROLLBACK`: microseconds) looks for the lock, 1 ms after the refusal,
 * then twice as long each time up to PROBE_EVERY_MS, however many writes wait; a transaction arriving meanwhile
 * waits with them instead of trying. A statement outside a transaction tries first: it may be a read, which
 * needs no lock (`db.raw` cannot be told from a write), and a write is refused in microseconds, then waits.
 */
import type { Knex } from 'knex';

/**
 * SQLITE_BUSY (and its extended codes): another process holds the SQLite file's write lock. Not `instanceof Error`:
 * better-sqlite3's native part makes its errors with the SqliteError class of the first realm that loaded it (a
 * jest suite after the first one got errors that were no Error of its own, and none was tried again).
 */
export function sqliteBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A write waited `waitedMs` for another process's write lock on the SQLite ledger, and gave up. */
export class SqliteLockedError extends Error {
  readonly code = 'SQLITE_BUSY';

  constructor(readonly waitedMs: number) {
    super(`the SQLite ledger is locked: another process held its write lock for over ${waitedMs} ms`);
    this.name = 'SqliteLockedError';
  }
}

const FIRST_PROBE_MS = 1;
/** The longest pause between two probes: a write waits at most this long after the lock is given up. */
const PROBE_EVERY_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The writes waiting for the lock, and the one probe that tells them when it is free. */
export class WriteLockGate {
  private readonly waiters = new Set<(free: boolean) => void>();
  private probing = false;

  /** `probe`: true when the lock could be taken (and was given back at once), false when it is held. */
  constructor(private readonly probe: () => Promise<boolean>) {}

  /** Writes are waiting for the lock: a new one waits with them instead of trying. */
  get held(): boolean {
    return this.probing;
  }

  /** True once a probe found the lock free, false when `deadline` (performance.now()) comes first. */
  free(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (free: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(free);
      };
      const timer = setTimeout(() => done(false), Math.max(0, deadline - performance.now()));
      this.waiters.add(done);
      void this.watch();
    });
  }

  private async watch(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      for (let pause = FIRST_PROBE_MS; this.waiters.size > 0; pause = Math.min(pause * 2, PROBE_EVERY_MS)) {
        await sleep(pause);
        // A probe that fails otherwise (the pool closed) lets the writes try, and fail with their own error.
        if (this.waiters.size > 0 && (await this.probe().catch(() => true))) {
          for (const done of [...this.waiters]) done(true);
        }
      }
    } finally {
      this.probing = false;
    }
  }
}

/**
 * `attempt`, tried again while it fails with an error `retriable` accepts (SQLITE_BUSY before anything was
 * written), each time once the gate found the lock free, until `waitMs` have passed. `queue`: while writes wait,
 * wait with them before the first try (a transaction, which always takes the lock), instead of trying at once.
 */
export async function whenWritable<T>(
  gate: WriteLockGate,
  waitMs: number,
  attempt: () => Promise<T>,
  retriable: (error: unknown) => boolean,
  { queue }: { queue: boolean },
): Promise<T> {
  const deadline = performance.now() + waitMs;
  if (queue && gate.held && !(await gate.free(deadline))) throw new SqliteLockedError(waitMs);
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!retriable(error)) throw error;
      if (!(await gate.free(deadline))) throw new SqliteLockedError(waitMs);
    }
  }
}

interface SqliteConnection {
  exec(sql: string): unknown;
}

interface Runner {
  run(): Promise<unknown>;
  query(obj: unknown): Promise<unknown>;
}

interface SqliteClient {
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection): Promise<unknown>;
  runner(builder: unknown): Runner;
}

type TransactionMethod = (container?: unknown, config?: unknown) => Promise<unknown>;

async function probeWriteLock(client: SqliteClient): Promise<boolean> {
  const connection = await client.acquireConnection();
  try {
    connection.exec('BEGIN IMMEDIATE');
    connection.exec('ROLLBACK');
    return true;
  } catch (error) {
    return !sqliteBusy(error);
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Makes `db`'s writes wait for another process's write lock as described above (its connection's busy_timeout
 * must be 0): every transaction (`db.transaction`, retried while its `BEGIN IMMEDIATE` is refused, before its
 * handler runs) and every statement run outside one (retried while nothing of it ran). The statements of a
 * transaction are left alone: it holds the lock. `log` is told of each write that gave up.
 */
export function waitForWriteLock(db: Knex, waitMs: number, log: (message: string) => void): void {
  const client = db.client as SqliteClient;
  const gate = new WriteLockGate(() => probeWriteLock(client));
  const gaveUp = (error: unknown): never => {
    if (error instanceof SqliteLockedError) {
      log(`the SQLite ledger is locked by another process: a write waited ${waitMs} ms for it, and failed`);
    }
    throw error;
  };

  const { context } = db as unknown as { context: { transaction: TransactionMethod } };
  const transaction = context.transaction.bind(context);
  context.transaction = (container, config) => {
    let begun = false;
    const handler =
      typeof container === 'function'
        ? (trx: unknown) => {
            begun = true;
            return (container as (trx: unknown) => unknown)(trx);
          }
        : container;
    const retriable = (error: unknown): boolean => !begun && sqliteBusy(error);
    return whenWritable(gate, waitMs, () => transaction(handler, config), retriable, { queue: true }).catch(
      gaveUp,
    );
  };

  const runner = client.runner.bind(client);
  client.runner = (builder) => {
    const outer = runner(builder);
    let ran = false;
    const attempt = (): Promise<unknown> => {
      const inner = runner(builder);
      const query = inner.query.bind(inner);
      inner.query = async (obj) => {
        const result = await query(obj);
        ran = true;
        return result;
      };
      return inner.run();
    };
    const retriable = (error: unknown): boolean => !ran && sqliteBusy(error);
    outer.run = () => whenWritable(gate, waitMs, attempt, retriable, { queue: false }).catch(gaveUp);
    return outer;
  };
}
