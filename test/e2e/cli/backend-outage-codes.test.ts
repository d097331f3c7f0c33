/**
 * Under `--format json` a pipeline reads the error's code to decide whether to retry. A ledger or `--server` that is
 * down or unreachable is `dependency_unavailable` with the `dependency` that failed, as a ledger that stops
 * answering mid-run is (ledgerUnavailable); one that answers and refuses (a database that does not exist) or a URL
 * no retry makes work is `failed`. A silent PostgreSQL: boot-failures.test.ts. Fake servers play a PostgreSQL
 * starting up and the ways a service (or the gateway in front of it) fails.
 */
import { createServer, type Socket } from 'node:net';
import { describeWithServices } from '../../helpers/services';
import { json, pocket, type PocketRun } from './run-pocket';

jest.setTimeout(60_000);

/** A port nothing listens on (a server bound, then closed): connecting is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const errorOf = (run: PocketRun) => json<{ error: Record<string, unknown> }>(run).error;

/** A TCP server for one test, answering each connection with `answer`, on 127.0.0.1. */
async function fakeServer(answer: (socket: Socket) => void): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    answer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** PostgreSQL's ErrorResponse, as a server starting up (or shutting down) answers a new connection. */
function pgError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

describeWithServices(['DATABASE_URL'], 'an unreachable backend under --format json', () => {
  it('a DATABASE_URL nothing listens on: dependency_unavailable, dependency ledger; exit 1', async () => {
    const port = await closedPort();
    const run = await pocket(['versions', 'spring', '--format', 'json'], {
      env: { DATABASE_URL: `postgres://pocket:s3cret@127.0.0.1:${port}/pocket` },
    });
    const message = `cannot reach DATABASE_URL (postgres://pocket:***@127.0.0.1:${port}/pocket): connect ECONNREFUSED 127.0.0.1:${port}`;
    expect([run.code, run.stderr]).toEqual([1, `pocket: ${message}\n`]);
    expect(errorOf(run)).toEqual({ code: 'dependency_unavailable', message, dependency: 'ledger' });
  });

  it('a PostgreSQL starting up (57P03) is an outage too: dependency_unavailable', async () => {
    const starting = await fakeServer((socket) =>
      socket.once('data', () => socket.end(pgError('57P03', 'the database system is starting up'))),
    );
    try {
      const run = await pocket(['versions', 'spring', '--format', 'json'], {
        env: { DATABASE_URL: `postgres://pocket@127.0.0.1:${starting.port}/pocket` },
      });
      expect([run.code, errorOf(run)]).toEqual([
        1,
        {
          code: 'dependency_unavailable',
          message: `cannot reach DATABASE_URL (postgres://pocket@127.0.0.1:${starting.port}/pocket): the database system is starting up`,
          dependency: 'ledger',
        },
      ]);
    } finally {
      starting.close();
    }
  });

  it('a database that does not exist: failed, as no wait makes it work', async () => {
    const url = new URL(process.env['DATABASE_URL'] as string);
    url.pathname = '/pocket_no_such_database';
    const run = await pocket(['versions', 'spring', '--format', 'json'], {
      env: { DATABASE_URL: url.toString() },
    });
    expect(run.code).toBe(1);
    expect(errorOf(run)).toEqual({
      code: 'failed',
      message: expect.stringMatching(/: database "pocket_no_such_database" does not exist$/) as unknown,
    });
  });

  it('a --server nothing listens on: dependency_unavailable, dependency server; a port fetch never dials: failed', async () => {
    const port = await closedPort();
    const [down, bad] = await Promise.all(
      [port, 1].map((p) =>
        pocket([
          'versions',
          'spring',
          '--server',
          `http://127.0.0.1:${p}`,
          '--token',
          't',
          '--format',
          'json',
        ]),
      ),
    );
    expect([down?.code, errorOf(down as PocketRun)]).toEqual([
      1,
      {
        code: 'dependency_unavailable',
        message: expect.stringMatching(
          new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}: fetch failed \\(connect ECONNREFUSED`),
        ) as unknown,
        dependency: 'server',
      },
    ]);
    expect([bad?.code, errorOf(bad as PocketRun)]).toEqual([
      1,
      { code: 'failed', message: 'cannot reach http://127.0.0.1:1: fetch failed (bad port)' },
    ]);
  });

  it('a --server that closes the connection, dies mid-answer or sits behind a gateway answering 502: server', async () => {
    const hangUp = await fakeServer((socket) => socket.once('data', () => socket.destroy()));
    const midAnswer = await fakeServer((socket) =>
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"camp',
        );
        setTimeout(() => socket.destroy(), 50);
      }),
    );
    const gateway = await fakeServer((socket) =>
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 11\r\n\r\nBad Gateway',
        ),
      ),
    );
    try {
      const runs = await Promise.all(
        [hangUp, midAnswer, gateway].map(({ port }) =>
          pocket([
            'versions',
            'spring',
            '--server',
            `http://127.0.0.1:${port}`,
            '--token',
            't',
            '--format',
            'json',
          ]),
        ),
      );
      expect(runs.map((run) => [run.code, errorOf(run)])).toEqual([
        [
          1,
          {
            code: 'dependency_unavailable',
            message: `cannot reach http://127.0.0.1:${hangUp.port}: fetch failed (other side closed)`,
            dependency: 'server',
          },
        ],
        [
          1,
          {
            code: 'dependency_unavailable',
            message: `cannot reach http://127.0.0.1:${midAnswer.port}: terminated (other side closed)`,
            dependency: 'server',
          },
        ],
        [
          1,
          {
            code: 'dependency_unavailable',
            message: 'GET /admin/campaigns/spring/versions: the server answered 502 without JSON',
            dependency: 'server',
          },
        ],
      ]);
    } finally {
      for (const server of [hangUp, midAnswer, gateway]) server.close();
    }
  });
});
