/**
 * The service's HTTP server, with time limits on receiving a request. Node's defaults let a client take 60 s to
 * send its headers and 5 minutes to send the rest, and check them every 30 s: a slow or stalled client (slowloris:
 * headers a byte at a time, a body that never ends) held its connection for up to 90 s or 5.5 minutes, so a few
 * thousand of them held as many sockets. A participation's body is at most 8 KB and an admin's 1 MB.
 * Only the receiving is limited: a request the service is still working on is not cut.
 */
import { createServer, type RequestListener, type Server } from 'node:http';

export interface RequestTimeouts {
  /** From a request's first byte to the end of its headers; 408 and the connection closed past it. */
  headersMs: number;
  /** From a request's first byte to the end of its body. */
  requestMs: number;
  /** How often the limits are checked: a stalled client is cut at most this late. */
  checkEveryMs: number;
}

export const REQUEST_TIMEOUTS: RequestTimeouts = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1000 };

export function createHttpServer(app: RequestListener, timeouts: RequestTimeouts = REQUEST_TIMEOUTS): Server {
  return createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    app,
  );
}

/** Listens on `port` (and `host`, null: every interface); rejects with the listen error (port taken…). */
export function listen(server: Server, port: number, host: string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (host === null) server.listen(port, done);
    else server.listen(port, host, done);
  });
}
