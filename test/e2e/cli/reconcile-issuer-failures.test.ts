/**
 * `pocket reconcile` as a process, against an embedded ledger whose grants were delivered to an HTTP issuer (a
 * local server): an issuer that is down, answers 500 or whose cursor never ends fails the run with exit 1 and
 * one line naming the issuer, its URL and why (an error object under --format json), records the run as failed,
 * and changes nothing: no grant is redelivered (paid twice), no discrepancy recorded or resolved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../../src/ledger/db';
import { AT, DEFINITIONS, recordedGrants, users } from '../../helpers/delivery';
import { json, pocket, type PocketRun } from './run-pocket';

const SINCE = new Date(AT.getTime() - 3_600_000).toISOString();

type ListingMode = 'stuck' | 'error';

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('pocket reconcile when an issuer cannot be read', () => {
  let dataDir: string;
  let ids: string[];
  let issuer: Server;
  let issuerUrl: string;
  let mode: ListingMode = 'stuck';
  let gets = 0;
  const posted: string[] = [];

  const run = (url: string, ...args: string[]): Promise<PocketRun> =>
    pocket(args, {
      env: {
        POCKET_DATA_DIR: dataDir,
        POCKET_DEFINITIONS: DEFINITIONS,
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
        NOTIFY_URL: undefined,
        LOG_LEVEL: 'silent',
        ISSUER_RED_PACKET_URL: url,
      },
    });
  const withDb = async <T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> => {
    const db = createDb({ sqliteFile: join(dataDir, 'pocket.sqlite') });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  };
  /** Nothing changed: every grant delivered, its outbox row done, no discrepancy; every run failed. */
  const expectNothingChanged = async (runs: number) =>
    withDb(async (db) => {
      expect(await db('grants').whereIn('id', ids).pluck('status')).toEqual(ids.map(() => 'delivered'));
      expect(await db('outbox').whereIn('grant_id', ids).pluck('status')).toEqual(ids.map(() => 'done'));
      expect(await db('discrepancies').select()).toEqual([]);
      expect(await db('reconcile_runs').where({ kind: 'offline' }).pluck('status')).toEqual(
        Array(runs).fill('failed'),
      );
    });

  beforeAll(async () => {
    issuer = createHttpServer((req, res) => {
      if (req.method === 'POST') {
        posted.push(String(req.headers['idempotency-key']));
        req.resume();
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      gets += 1;
      if (mode === 'error') res.writeHead(500).end('oops');
      else
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"records":[],"nextCursor":"same"}');
    });
    issuerUrl = `http://127.0.0.1:${await listen(issuer)}`;
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-cli-reconcile-issuer-'));
    ids = await recordedGrants({ POCKET_DATA_DIR: dataDir }, users('reconcile-issuer', 2));
    const worker = await run(issuerUrl, 'worker', '--once');
    expect(worker.code).toBe(0);
    expect(posted.sort()).toEqual(ids);
  });
  afterAll(async () => {
    await new Promise((resolve) => issuer.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails at once on a cursor that never ends, instead of redelivering every grant', async () => {
    mode = 'stuck';
    gets = 0;
    const failed = await run(issuerUrl, 'reconcile', '--since', SINCE, '--grace', '0');
    expect(failed).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `pocket: cannot read issuer ${issuerUrl}/grants: the listing never ends: cursor "same" ` +
        'came back after page 2; the run failed and nothing was reconciled\n',
    });
    expect(gets).toBe(2);
    await expectNothingChanged(1);
  });

  it('fails with one line on a 500, and prints an error object under --format json', async () => {
    mode = 'error';
    const failed = await run(issuerUrl, 'reconcile', '--since', SINCE, '--grace', '0');
    expect([failed.code, failed.stdout, failed.stderr]).toEqual([
      1,
      '',
      `pocket: cannot read issuer ${issuerUrl}/grants: answered HTTP 500; the run failed and nothing was reconciled\n`,
    ]);
    const asJson = await run(issuerUrl, 'reconcile', '--since', SINCE, '--grace', '0', '--format', 'json');
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toEqual({
      error: {
        code: 'issuer_unavailable',
        message: `cannot read issuer ${issuerUrl}/grants: answered HTTP 500; the run failed and nothing was reconciled`,
        issuer: issuerUrl,
        url: `${issuerUrl}/grants`,
        reason: 'answered HTTP 500',
      },
    });
    await expectNothingChanged(3);
  });

  it('fails with one line naming the issuer, its URL and the socket reason when the issuer is down', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const down = `http://127.0.0.1:${port}`;
    const failed = await run(down, 'reconcile', '--since', SINCE, '--grace', '0');
    expect(failed).toEqual({
      code: 1,
      stdout: '',
      stderr: `pocket: cannot read issuer ${down}/grants: connect ECONNREFUSED 127.0.0.1:${port}; the run failed and nothing was reconciled\n`,
    });
    await expectNothingChanged(4);
  });
});
