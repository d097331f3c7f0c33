/**
 * PostgreSQL statements of the participation hot path, run as named (prepared) statements on a connection of
 * the knex pool, without knex's query building. Their text is fixed whatever the batch size (the rows travel
 * as one array per column, unnest()), so each pooled connection parses a statement once and PostgreSQL may
 * reuse its plan; per call only Bind + Execute go over the wire.
 *
 * They are planned on every call nevertheless (plan_cache_mode = force_custom_plan, set once on each connection
 * that runs one; knex never names its statements, so nothing else is affected): a generic plan is made once,
 * and one made while the tables were still small picked the campaign's index to find a single user's rows and
 * kept it as the tables grew, a scan of the whole campaign per lookup. A plan per call sees the batch's own
 * values and the statistics of the moment; what the prepared statement saves is building, sending, parsing
 * and analyzing the SQL text per call.
 *
 * knex's `query` / `query-response` / `query-error` events are still emitted (statement counts in tests, the
 * bench's breakdown), only when someone listens.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';

export interface PreparedStatement {
  /** Unique per text: pg refuses one name for two texts on a connection. */
  name: string;
  text: string;
}

export interface PreparedResult<R> {
  rows: R[];
}

/** The part of a pg Client this module uses. */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PreparedResult<unknown>>;
}

/** Connections already told to plan every execution of a prepared statement for its own values. */
const customPlans = new WeakSet<PgConnection>();

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Runs `statement` with `values` on a pooled connection. `onSent` is called just before the statement is handed
 * to the connection (a failure before that is certain not to have run anything).
 */
export async function runPrepared<R>(
  db: Db,
  statement: PreparedStatement,
  values: unknown[],
  onSent?: () => void,
): Promise<PreparedResult<R>> {
  const client = db.client as KnexClient;
  const connection = await client.acquireConnection();
  try {
    if (!customPlans.has(connection)) {
      await connection.query({ name: '', text: 'SET plan_cache_mode = force_custom_plan', values: [] });
      customPlans.add(connection);
    }
  } catch (error) {
    await client.releaseConnection(connection);
    throw error;
  }
  const observed = db.listenerCount('query') + db.listenerCount('query-response') > 0;
  const event = observed
    ? { __knexQueryUid: randomUUID(), method: 'raw', sql: statement.text, bindings: values }
    : null;
  try {
    if (event) client.emit('query', event);
    onSent?.();
    const result = (await connection.query({
      name: statement.name,
      text: statement.text,
      values,
    })) as PreparedResult<R>;
    if (event) client.emit('query-response', result, event);
    return result;
  } catch (error) {
    if (event) client.emit('query-error', error, event);
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}
