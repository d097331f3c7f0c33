import { Redis } from 'ioredis';

export interface RedisClientOptions {
  /**
   * Per-command timeout; an outage gives a fast error (-> 503), never a hang. Default 2000 ms: the timer runs
   * on the event loop, so a busy process (a flash-sale burst) must not turn slow replies into false timeouts,
   * whose reservations would then wait for reconciliation.
   */
  commandTimeoutMs?: number;
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Don't connect until `connect()` is called. Default false. */
  lazyConnect?: boolean;
  /**
   * Connection errors. Commands fail by themselves while Redis is down, so this is for logging only; without it
   * they are ignored here rather than printed by ioredis as unhandled.
   */
  onError?: (error: Error) => void;
}

/**
 * An ioredis client for the hot state: no offline queue (a command while disconnected fails at once), a command
 * timeout, at most one retry per command, and reconnection in the background with a capped backoff.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    // How long disconnect() waits for the socket to close before destroying it (ioredis default 2 s).
    disconnectTimeout: 500,
    lazyConnect: options.lazyConnect ?? false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
  });
  client.on('error', options.onError ?? (() => undefined));
  return client;
}

/** Creates a client and waits until it is ready; rejects (and disconnects) when Redis cannot be reached. */
export async function connectRedis(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  const client = createRedisClient(url, { ...options, lazyConnect: true });
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
