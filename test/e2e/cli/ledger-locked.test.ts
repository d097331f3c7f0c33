/**
 * Another program holds a write transaction open on the embedded SQLite ledger (a sqlite3 shell, a database
 * browser with changes not written yet). A verb that only reads still answers; one that writes waits 5 s for the
 * lock and then says what holds it up, in one line. Before, every verb took knex's migration lock (a write) first:
 * all of them failed with knex's hint to run `knex migrate:unlock` and a SqliteError stack. `pocket serve` waits
 * for the lock on timers, LEDGER_WAIT_MS (2 s), and stops with the same line (its scheduler lease is a write).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copyRepo, FIXTURE_ROOT, json, pocket, type PocketRun, type RepoCopy } from './run-pocket';

jest.setTimeout(60_000);

describe('the embedded ledger locked by another program', () => {
  let repo: RepoCopy;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  const run = (...args: string[]): Promise<PocketRun> =>
    pocket(['--root', repo.root, ...args], { cwd: repo.root, env });

  beforeAll(() => {
    repo = copyRepo(FIXTURE_ROOT);
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-cli-locked-'));
    env = {
      POCKET_DATA_DIR: dataDir,
      POCKET_AUTHOR: 'alice',
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      POCKET_SERVER: undefined,
      POCKET_TOKEN: undefined,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(() => {
    repo.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads still answer; a write names the lock after 5 s (serve: 2 s), without knex hints or a stack', async () => {
    expect((await run('publish', 'shop-week')).code).toBe(0);
    const holder = new Database(join(dataDir, 'pocket.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const [versions, pause, pauseJson, serve] = await Promise.all([
        run('versions', 'shop-week', '--format', 'json'),
        run('pause', 'shop-week'),
        run('pause', 'shop-week', '--format', 'json'),
        pocket(['--root', repo.root, 'serve'], {
          cwd: repo.root,
          env: { ...env, PORT: '0', HOST: '127.0.0.1' },
        }),
      ]);
      expect(versions.code).toBe(0);
      expect(json(versions)).toMatchObject({ activeVersion: 1, paused: false });
      const message =
        'the SQLite ledger is locked: another process has held a write transaction open on it for over 5 s ' +
        '(a sqlite3 shell, or a database browser with changes not written yet); end it, then try again';
      expect([pause.code, pause.stdout, pause.stderr]).toEqual([1, '', `pocket: ${message}\n`]);
      expect(pauseJson.code).toBe(1);
      expect(json(pauseJson)).toEqual({ error: { code: 'ledger_locked', message } });
      const serveMessage = message.replace('over 5 s', 'over 2 s');
      expect([serve.code, serve.stderr]).toEqual([1, `pocket: ${serveMessage}\n`]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect((await run('pause', 'shop-week')).stdout).toBe('shop-week: paused (active version 1)\n');
  });
});
