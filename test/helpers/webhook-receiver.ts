/** nock standing in for NOTIFY_URL: a receiver that answers 204 and keeps each webhook with its signature headers. */
import nock from 'nock';

export interface ReceivedWebhook {
  /** The body as sent (nock hands JSON back parsed; pocket sends JSON.stringify of the message). */
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Every POST to `origin` + `path` until nock.cleanAll(), in the order received. */
export function receiveWebhooks(origin: string, path: string): ReceivedWebhook[] {
  const received: ReceivedWebhook[] = [];
  nock(origin)
    .persist()
    .post(path)
    .reply(function (_uri, body) {
      received.push({
        body: typeof body === 'string' ? body : JSON.stringify(body),
        timestamp: this.req.headers['x-pocket-timestamp'] as string | undefined,
        signature: this.req.headers['x-pocket-signature'] as string | undefined,
      });
      return [204];
    });
  return received;
}
