/**
 * A ledger whose schema is not this pocket's. Migrated by a newer pocket (an upgrade rolled back, an instance or
 * an operator's CLI not upgraded yet), every verb and `serve` stop with one line naming the migrations this
 * version does not know, where they printed knex's "The migration directory is corrupt" and a stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURE_ROOT, json, pocket, type PocketRun } from './run-pocket';

jest.setTimeout(60_000);

describe('a ledger whose schema is not this pocket’s', () => {
  let dataDir: string;
  const env = (): Record<string, string | undefined> => ({
    POCKET_DATA_DIR: dataDir,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    POCKET_SERVER: undefined,
    POCKET_TOKEN: undefined,
    LOG_LEVEL: 'silent',
    PORT: '0',
  });
  const run = (...args: string[]): Promise<PocketRun> =>
    pocket(['--root', FIXTURE_ROOT, ...args], { env: env() });
  /** Runs SQL on the embedded ledger as another program would. */
  const sql = (statement: string): void => {
    const db = new Database(join(dataDir, 'pocket.sqlite'));
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-cli-schema-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrated by a newer pocket: every verb and serve stop with one line naming what it does not know', async () => {
    expect((await run('publish', 'shop-week')).code).toBe(0);
    sql(
      "INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('20991231000100_from_a_newer_pocket', 99, 0)",
    );
    const message =
      'the ledger was migrated by a newer pocket: it has 1 migration(s) this one does not know ' +
      '(20991231000100_from_a_newer_pocket); run that version or a later one (README, "Install and upgrade")';
    for (const args of [['versions', 'shop-week'], ['report', 'shop-week'], ['migrate'], ['serve']]) {
      const refused = await run(...args);
      expect([args, refused.code, refused.stdout, refused.stderr]).toEqual([
        args,
        1,
        '',
        `pocket: ${message}\n`,
      ]);
    }
    expect(json(await run('audit', '--format', 'json'))).toEqual({
      error: { code: 'ledger_newer', message },
    });
  });
});
