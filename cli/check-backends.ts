/**
 * Boot-time reachability of the backends named in the environment: a DATABASE_URL or REDIS_URL that cannot
 * be reached stops the boot with a message naming the variable (its password hidden), instead of a driver
 * stack trace, or a Redis client reconnecting forever behind a service that never gets ready. Without
 * DATABASE_URL, the embedded SQLite file must open as a database. `pocket worker` asks to tolerate a Redis
 * outage (refused, timed out): it delivers without Redis, so only a Redis that answers and refuses stops it.
 */
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import knex from 'knex';
import type { Config } from '../src/config';
import { dependencyOf, OUTAGE_CODES } from '../src/errors/dependency-failure';
import { connectRedis } from '../src/hot-state/redis-client';
import { makeDirectory } from '../src/shared/make-directory';
import { CliFailure } from './output';

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A driver error's message: pg's own ("database "x" does not exist"), or the socket's for a refused connection. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  const first = (err as Partial<AggregateError>).errors?.[0] as unknown;
  if (first instanceof Error && first.message) return first.message;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

/**
 * A backend that could not be reached. Down, unreachable or silent (`outage`): `dependency_unavailable` under
 * --format json, as when the ledger stops answering mid-run (ledgerUnavailable), so that a pipeline retries it;
 * reached and refused (a database that does not exist, a wrong password): `failed`, no wait makes it work.
 */
function unreachable(
  variable: 'DATABASE_URL' | 'REDIS_URL',
  url: string,
  err: unknown,
  outage: boolean,
): CliFailure {
  const message = `cannot reach ${variable} (${redactUrl(url)}): ${reason(err)}`;
  if (!outage) return new CliFailure(message);
  const dependency = variable === 'DATABASE_URL' ? 'ledger' : 'hot-state';
  return new CliFailure(message, 1, { code: 'dependency_unavailable', details: { dependency } });
}

/**
 * The embedded ledger file opens and reads as SQLite. Else knex would fail on its first connection, printing
 * its own "Acquire connection error" stack on stdout (breaking --format json) before the driver's stack: a
 * file that is not a database (a stray file, a half-copied backup) or a path that is a directory.
 */
function checkSqliteFile(file: string): void {
  if (file === ':memory:') return;
  // The directory, as the ledger makes it: a path that cannot be used fails with its own fs error.
  makeDirectory(dirname(resolve(file)));
  let connection: Database.Database | undefined;
  try {
    connection = new Database(file);
    connection.pragma('schema_version');
  } catch (err) {
    throw new CliFailure(`cannot use the SQLite ledger ${file}: ${reason(err)}`);
  } finally {
    connection?.close();
  }
}

/** A Redis that answered and refused what REDIS_URL asks (its password, its database index). */
function refused(url: string, err: unknown): CliFailure {
  return new CliFailure(`cannot use REDIS_URL (${redactUrl(url)}): ${reason(err)}`);
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Redis or PostgreSQL down, restarting, hung or cut off. What Redis answered (a ReplyError: WRONGPASS, NOAUTH, a
 * refused SELECT), a TLS refusal or anything unknown is a configuration error instead: no wait makes it work
 * (serve refuses an unresolvable name, so a typo does not go unseen).
 */
function isOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return OUTAGE_CODES.has(code);
  // A server that accepts the connection and never answers: ioredis's ready check times out; a connection
  // closed before any error event (a proxy with no Redis behind it).
  return err.message === 'Command timed out' || err.message === 'Connection is closed.';
}

export interface BackendsCheck {
  /**
   * With `redisOutage: 'tolerate'`: why REDIS_URL could not be reached (`cannot reach REDIS_URL (…): …`), for
   * the caller to say what goes without it; null when it was reached (or is not set).
   */
  redisUnreachable: string | null;
}

export interface BackendsCheckOptions {
  /**
   * 'tolerate' (`pocket worker`): an unreachable REDIS_URL is returned rather than thrown, as the relay needs
   * only the ledger and the issuers. A configuration error (a refused password or database index) still
   * throws. Default 'refuse'.
   */
  redisOutage?: 'refuse' | 'tolerate';
}

export async function checkBackends(
  config: Pick<Config, 'databaseUrl' | 'redisUrl'> & Partial<Pick<Config, 'sqliteFile'>>,
  options: BackendsCheckOptions = {},
): Promise<BackendsCheck> {
  if (!config.databaseUrl && config.sqliteFile !== undefined) checkSqliteFile(config.sqliteFile);
  if (config.databaseUrl) {
    // One connection, and knex's own log of each failed acquire silenced: the failure is reported below. The
    // driver gives up on a server that accepts the connection and never answers (a hung PostgreSQL, a silent
    // proxy) too: its pending socket would otherwise keep the process alive after the failure.
    const db = knex({
      client: 'pg',
      connection: { connectionString: config.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: CONNECT_TIMEOUT_MS + 1_000,
      log: { warn: () => undefined, error: () => undefined },
    });
    try {
      await db.raw('select 1');
    } catch (err) {
      if (err instanceof Error && /timeout/i.test(err.message)) {
        const silent = new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
        throw unreachable('DATABASE_URL', config.databaseUrl, silent, true);
      }
      // PostgreSQL's own refusals of an outage kind too (57P03, starting up; 53300, too many connections).
      const outage = isOutage(err) || dependencyOf(err) === 'ledger';
      throw unreachable('DATABASE_URL', config.databaseUrl, err, outage);
    } finally {
      await db.destroy();
    }
  }
  if (config.redisUrl) {
    // ioredis rejects connect() with "Connection is closed."; the reason is the error event before it.
    let cause: unknown;
    try {
      const client = await connectRedis(config.redisUrl, { onError: (err) => (cause ??= err) });
      client.disconnect();
    } catch (err) {
      const why = cause ?? err;
      if (options.redisOutage === 'tolerate' && isOutage(why)) {
        return { redisUnreachable: unreachable('REDIS_URL', config.redisUrl, why, true).message };
      }
      // Redis answered, and refused (WRONGPASS, NOAUTH): reached, but the URL's credentials are wrong.
      if (why instanceof Error && why.name === 'ReplyError') throw refused(config.redisUrl, why);
      throw unreachable('REDIS_URL', config.redisUrl, why, isOutage(why));
    }
    // ioredis reports a refused SELECT (redis://…/99 on a server with 16 databases: "ERR DB index is out of
    // range") as an error event only, and then says ready on database 0: another environment's keys.
    if (cause !== undefined) throw refused(config.redisUrl, cause);
  }
  return { redisUnreachable: null };
}
