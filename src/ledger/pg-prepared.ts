/**
 * PostgreSQL statements of the participation hot path, run as named (prepared) statements on a connection of
 * the knex pool, without knex's query building. Their text is fixed whatever the batch size (the rows travel
 * as one array per column, unnest()), so each pooled connection parses a statement once and PostgreSQL may
 * reuse its plan; per call only Bind + Execute go over the wire.
 *
 * A statement whose best plan depends on its values says so (`plan: 'per-call'`) and is sent unnamed: parsed and
 * planned for its own values on every call. The idempotency lookup is one: a plan kept from when the table was
 * small found a single user's rows through the campaign's index, a scan of the whole campaign per lookup as the
 * table grew. The grant write keeps PostgreSQL's default plan cache mode, so its plan, and the plans of what it
 * runs (its triggers' queries, the foreign-key checks, the per-user numbering), are kept for the session. Forcing a
 * plan per execution on the session instead (as pocket once did) re-planned every one of those for every batch,
 * a quarter of PostgreSQL's CPU under the benchmark (test/bench/README.md, "PostgreSQL keeps its plans").
 *
 * knex's `query` / `query-response` / `query-error` events are still emitted (statement counts in tests, the
 * bench's breakdown), only when someone listens.
 */
import { randomUUID } from 'node:crypto';
import { LEDGER_STATEMENT_DEADLINE_MS, StatementDeadlineExceeded, type Db } from './db';

export interface PreparedStatement {
  /** Unique per text: pg refuses one name for two texts on a connection. */
  name: string;
  text: string;
  /**
   * 'cached' (the default): prepared by name once per connection, its plan kept as PostgreSQL decides.
   * 'per-call': sent unnamed, so parsed and planned for its own values on every call.
   */
  plan?: 'per-call' | 'cached';
}

export interface PreparedResult<R> {
  rows: R[];
}

/** The part of a pg Client this module uses. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<PreparedResult<unknown>>;
  /** With a query in flight, destroys the socket: the query fails and the pool drops the connection. */
  end(): Promise<void>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Runs `statement` with `values` on a pooled connection. `onSent` is called just before the statement is handed
 * to the connection (a failure before that is certain not to have run anything). A statement not answered within
 * `deadlineMs` (LEDGER_STATEMENT_DEADLINE_MS) fails, and its connection is closed.
 */
export async function runPrepared<R>(
  db: Db,
  statement: PreparedStatement,
  values: unknown[],
  onSent?: () => void,
  deadlineMs = LEDGER_STATEMENT_DEADLINE_MS,
): Promise<PreparedResult<R>> {
  const client = db.client as KnexClient;
  const connection = await client.acquireConnection();
  const observed = db.listenerCount('query') + db.listenerCount('query-response') > 0;
  const event = observed
    ? { __knexQueryUid: randomUUID(), method: 'raw', sql: statement.text, bindings: values }
    : null;
  let expired = false;
  const deadline = setTimeout(() => {
    expired = true;
    connection.end().catch(() => undefined);
  }, deadlineMs);
  try {
    if (event) client.emit('query', event);
    onSent?.();
    const result = (await connection.query(
      statement.plan === 'per-call'
        ? { text: statement.text, values }
        : { name: statement.name, text: statement.text, values },
    )) as PreparedResult<R>;
    if (event) client.emit('query-response', result, event);
    return result;
  } catch (error) {
    if (event) client.emit('query-error', error, event);
    if (expired) throw new StatementDeadlineExceeded(deadlineMs, error);
    throw error;
  } finally {
    clearTimeout(deadline);
    await client.releaseConnection(connection);
  }
}
