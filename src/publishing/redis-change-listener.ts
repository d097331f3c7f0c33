/**
 * Listens for change notices on a Redis pub/sub channel, on a connection of its own (a subscribed
 * connection can run no other command). It (re)subscribes whenever the connection becomes ready, and
 * treats every subscription, the first included, as a possible missed notice: the registry is refreshed then too.
 */
import { Redis } from 'ioredis';
import type { ChangeNotice } from './change-notifier';

export interface ChangeListenerOptions {
  onNotice: (notice: ChangeNotice | null) => void;
  onError?: (error: unknown) => void;
  /** How long start() waits for the first subscription before giving up to the poll. Default 2000 ms. */
  startTimeoutMs?: number;
  /** CLIENT SETNAME of the subscriber connection (default pocket:changes-listener). */
  connectionName?: string;
}

function parseNotice(message: string): ChangeNotice | null {
  try {
    const value = JSON.parse(message) as unknown;
    return typeof value === 'object' && value !== null ? (value as ChangeNotice) : null;
  } catch {
    return null;
  }
}

export class RedisChangeListener {
  private client: Redis | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly options: ChangeListenerOptions,
  ) {}

  /** Connects and subscribes; resolves once subscribed or after the start timeout (never rejects). */
  start(): Promise<void> {
    const onError = this.options.onError ?? (() => undefined);
    const client = new Redis(this.url, {
      autoResubscribe: false,
      connectionName: this.options.connectionName ?? 'pocket:changes-listener',
      connectTimeout: 2000,
      disconnectTimeout: 500,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    });
    this.client = client;
    client.on('error', onError);
    client.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.options.onNotice(parseNotice(message));
    });
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.startTimeoutMs ?? 2000);
      timer.unref();
      client.on('ready', () => {
        client.subscribe(this.channel).then(
          () => {
            // A reconnection may have missed notices; so may the first subscription: a change committed after
            // the registry's first read and before it waited for the poll.
            this.options.onNotice(null);
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => onError(error),
        );
      });
    });
  }

  close(): Promise<void> {
    this.client?.disconnect();
    this.client = null;
    return Promise.resolve();
  }
}
