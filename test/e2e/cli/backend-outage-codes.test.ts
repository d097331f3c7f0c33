/**
 * Under `--format json` a pipeline reads the error's code to decide whether to retry. A ledger or `--server` that is
 * down or unreachable is `dependency_unavailable` with the `dependency` that failed, as a ledger that stops
 * answering mid-run is (ledgerUnavailable); one that answers and refuses (a database that does not exist) or a URL
 * no retry makes work is `failed`. A silent PostgreSQL: boot-failures.test.ts.
 */
import { createServer } from 'node:net';
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
});
