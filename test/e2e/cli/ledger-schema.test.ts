/**
 * A ledger whose schema is not this pocket's. Migrated by a newer pocket (an upgrade rolled back, an instance or
 * an operator's CLI not upgraded yet), every verb and `serve` stop with one line naming the migrations this
 * version does not know, where they printed knex's "The migration directory is corrupt" and a stack. Behind this
 * pocket (a newer CLI on a ledger an older fleet runs on), only `migrate`, `serve` and `worker` migrate it: the
 * other verbs stop and change nothing, where any of them, a `report` too, migrated the ledger under the fleet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ledgerMigrations } from '../../../src/ledger/ledger-migration-source';
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

  /** Each verb exits 1 with the one line, nothing on stdout; under --format json, the error object. */
  async function expectRefused(verbs: string[][], code: string, message: string): Promise<void> {
    for (const args of verbs) {
      const refused = await run(...args);
      expect([args, refused.code, refused.stdout, refused.stderr]).toEqual([
        args,
        1,
        '',
        `pocket: ${message}\n`,
      ]);
    }
    expect(json(await run('audit', '--format', 'json'))).toEqual({ error: { code, message } });
  }

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
    const verbs = [['versions', 'shop-week'], ['report', 'shop-week'], ['migrate'], ['serve']];
    await expectRefused(verbs, 'ledger_newer', message);
  });

  it('behind this pocket: the verbs stop and change nothing; pocket migrate applies what it lacks', async () => {
    expect((await run('publish', 'shop-week')).code).toBe(0);
    const last = ledgerMigrations[ledgerMigrations.length - 1]?.name ?? '';
    sql(`DELETE FROM knex_migrations WHERE name = '${last}'`);
    const message =
      "the ledger's schema is older than this pocket's: 1 migration(s) to apply " +
      `(${last}); this verb changes no schema: run \`pocket migrate\` first (README, "Install and upgrade")`;
    const verbs = [
      ['versions', 'shop-week'],
      ['report', 'shop-week'],
      ['pause', 'shop-week'],
      ['tokens', 'list'],
      ['reconcile'],
    ];
    await expectRefused(verbs, 'ledger_behind', message);
    const migrated = await run('migrate');
    expect([migrated.code, migrated.stdout]).toEqual([0, `applied ${last}\n`]);
    expect((await run('versions', 'shop-week')).code).toBe(0);
  });
});
