/**
 * Boot-time reachability of the backends named in the environment: a DATABASE_URL or REDIS_URL that cannot
 * be reached stops the boot with a message naming the variable (its password hidden), instead of a driver
 * stack trace, or a Redis client reconnecting forever behind a service that never gets ready.
 */
import knex from 'knex';
import type { Config } from '../src/config';
import { connectRedis } from '../src/hot-state/redis-client';
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

function unreachable(variable: string, url: string, err: unknown): CliFailure {
  return new CliFailure(`cannot reach ${variable} (${redactUrl(url)}): ${reason(err)}`);
}

export async function checkBackends(config: Pick<Config, 'databaseUrl' | 'redisUrl'>): Promise<void> {
  if (config.databaseUrl) {
    // One connection, and knex's own log of each failed acquire silenced: the failure is reported below.
    const db = knex({
      client: 'pg',
      connection: config.databaseUrl,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 10_000,
      log: { warn: () => undefined, error: () => undefined },
    });
    try {
      await db.raw('select 1');
    } catch (err) {
      throw unreachable('DATABASE_URL', config.databaseUrl, err);
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
      throw unreachable('REDIS_URL', config.redisUrl, cause ?? err);
    }
  }
}
