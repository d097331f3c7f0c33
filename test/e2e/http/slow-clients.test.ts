/**
 * Slow or stalled clients (slowloris: headers sent a byte at a time, a body that never ends) must not hold a
 * connection for long: Node's defaults let one take 60 s for its headers and 5 minutes for the whole request,
 * checked every 30 s. The service sets its own limits (REQUEST_TIMEOUTS), which these tests shorten.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { REQUEST_TIMEOUTS, type RequestTimeouts } from '../../../src/http/http-server';
import { silentLogger } from '../../../src/observability/logger';
import { startPocket, type RunningPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';

jest.setTimeout(30_000);

interface Ended {
  /** Seconds from the connection to its close by the server. */
  afterS: number;
  received: string;
}

/** Opens a connection, sends `first`, then `drip` every 200 ms until the server closes it (or 15 s pass). */
async function trickle(url: string, first: string, drip: string): Promise<Ended> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(first);
  const timer = setInterval(() => socket.write(drip), 200);
  const closed = once(socket, 'close').then(() => true);
  let deadline: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(false), 15_000)));
  const byServer = await Promise.race([closed, gaveUp]);
  clearTimeout(deadline);
  clearInterval(timer);
  socket.destroy();
  return { afterS: byServer ? (Date.now() - started) / 1000 : Infinity, received };
}

describe('slow clients', () => {
  const running: RunningPocket[] = [];
  const start = async (requestTimeouts?: RequestTimeouts): Promise<RunningPocket> => {
    const pocket = await startPocket(
      { ...testConfig(), port: 0, host: '127.0.0.1' },
      { logger: silentLogger(), ...(requestTimeouts ? { requestTimeouts } : {}) },
    );
    running.push(pocket);
    return pocket;
  };
  afterAll(async () => {
    for (const r of running) await r.shutdown();
  });

  it('limits headers to 10 s and a whole request to 30 s, checked every second (Node: 60 s, 300 s, 30 s)', async () => {
    const { server } = await start();
    expect(REQUEST_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1000 });
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
  });

  describe('with the limits shortened', () => {
    let url: string;
    beforeAll(async () => {
      ({ url } = await start({ headersMs: 1000, requestMs: 2000, checkEveryMs: 250 }));
    });

    it('answers 408 and closes a connection whose headers never end', async () => {
      const ended = await trickle(
        url,
        'POST /v1/campaigns/x/participations HTTP/1.1\r\nHost: x\r\n',
        'X-A: b\r\n',
      );
      expect(ended.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(ended.afterS).toBeLessThan(3);
    });

    it('answers 408 and closes a connection whose body never ends', async () => {
      const head =
        'POST /v1/campaigns/x/participations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Idempotency-Key: k\r\nContent-Length: 8000\r\n\r\n{"userId":"';
      const ended = await trickle(url, head, 'a');
      expect(ended.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(ended.afterS).toBeLessThan(4);
    });

    it('lets a client that sends its request in time be answered', async () => {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
    });
  });
});
