/** The notifier over HTTP: POST NOTIFY_URL with the JSON message, HMAC-signed (notification-signature.ts). */
import type { NotificationMessage, Notifier } from './notifier';
import { signatureHeaders, type SigningSecrets } from './notification-signature';
import { readBounded } from './read-bounded';

export interface WebhookNotifierOptions {
  url: string;
  /**
   * WEBHOOK_SECRET, then WEBHOOK_SECRET_PREVIOUS while it is set: each message is signed with every one. A
   * function: read at each send.
   */
  secret: SigningSecrets;
  timeoutMs?: number;
  /** Attempts per send (default 3), with exponential pauses from `retryBaseMs` (default 250 ms). */
  attempts?: number;
  retryBaseMs?: number;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class WebhookNotifier implements Notifier {
  constructor(private readonly options: WebhookNotifierOptions) {}

  async send(message: NotificationMessage): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    const sleep = this.options.sleep ?? defaultSleep;
    const body = JSON.stringify(message);
    let lastError = 'not sent';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep((this.options.retryBaseMs ?? 250) * 2 ** (attempt - 2));
      try {
        const now = (this.options.clock ?? (() => new Date()))();
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...signatureHeaders(this.options.secret, body, now),
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
          // Not followed: fetch would turn a 301/302/303 into a GET without the message, and its 200 would
          // count an alert nobody received as sent. A redirect is a failed send (HTTP 3xx).
          redirect: 'manual',
        });
        // The answer's body means nothing; only its start is read, so a huge or endless one does not hold the
        // send (and the delivery that raised the alert) until the timeout.
        await readBounded(response, 1024).catch(() => undefined);
        if (response.ok) return;
        lastError = `HTTP ${response.status}`;
        // A 3xx or a 4xx other than 408/429 will not get better by repeating the same request.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    throw new Error(`webhook ${this.options.url}: ${lastError}`);
  }
}
