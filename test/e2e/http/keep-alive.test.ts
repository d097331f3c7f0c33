/**
 * KEEP_ALIVE_TIMEOUT_MS: how long the service keeps an idle client connection. Behind a load balancer that reuses
 * its connections, the service must not close one first (the balancer would answer 502 for the request it was
 * sending on it), so the setting must reach the server: clients are told it (`Keep-Alive: timeout=N`) and an
 * idle connection stays open that long, and no longer.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { silentLogger } from '../../../src/observability/logger';
import { startPocket, type RunningPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';

jest.setTimeout(30_000);

/** A raw keep-alive connection that sends one request and resolves with the answer's head. */
async function firstAnswer(url: string): Promise<{ socket: Socket; head: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
  let text = '';
  while (!text.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    text += chunk.toString('latin1');
  }
  return { socket, head: text.split('\r\n\r\n')[0] ?? '' };
}

/** Whether the server has closed the connection after `ms` of idleness. */
async function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  const closed = once(socket, 'close').then(() => true);
  const waited = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
  return Promise.race([closed, waited]);
}

describe('KEEP_ALIVE_TIMEOUT_MS', () => {
  const running: RunningPocket[] = [];
  const start = async (env: Record<string, string>): Promise<RunningPocket> => {
    const pocket = await startPocket(
      { ...testConfig(env), port: 0, host: '127.0.0.1' },
      { logger: silentLogger() },
    );
    running.push(pocket);
    return pocket;
  };
  afterAll(async () => {
    for (const r of running) await r.shutdown();
  });

  it('keeps an idle connection as long as it says, beyond Node’s 5 s default when asked', async () => {
    const long = await start({ KEEP_ALIVE_TIMEOUT_MS: '65000' });
    const { socket, head } = await firstAnswer(long.url);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/\r\nKeep-Alive: timeout=65(\r\n|$)/i);
    expect(await closedWithin(socket, 1500)).toBe(false);
    socket.destroy();
  });

  it('closes an idle connection once its timeout has passed', async () => {
    const short = await start({ KEEP_ALIVE_TIMEOUT_MS: '1000' });
    const { socket, head } = await firstAnswer(short.url);
    expect(head).toMatch(/\r\nKeep-Alive: timeout=1(\r\n|$)/i);
    // The deadline only ends a failing test; Node closes it after the timeout plus its own 1 s buffer at most.
    expect(await closedWithin(socket, 15_000)).toBe(true);
  });
});
