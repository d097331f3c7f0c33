/**
 * Graceful HTTP shutdown: stop accepting connections, let the requests in flight finish, then close.
 * While draining, every answer carries `Connection: close`, so a keep-alive client (a gateway) cannot hold the
 * server open until its keep-alive timeout, nor slip new requests in on an old connection. Whatever is still
 * open after the grace period is cut.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface GracefulClose {
  /** Resolves once every connection is closed, or after `graceMs` with the rest cut. Call once. */
  close(graceMs: number): Promise<void>;
}

export function gracefulClose(server: Server): GracefulClose {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const lastOnConnection = (res: ServerResponse): void => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // Before express sees the request, so a synchronous answer is covered too.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) lastOnConnection(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  return {
    async close(graceMs) {
      draining = true;
      for (const res of inFlight) lastOnConnection(res);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      });
      await Promise.race([closed, grace]);
      clearTimeout(timer);
      server.closeAllConnections();
    },
  };
}
