/**
 * Operator mistakes get one line naming what is wrong, never a stack trace: a path that cannot be used (a
 * --root or POCKET_DATA_DIR that is a file, a rules/ that is a file, a directory that may not be created), an
 * unknown --kind, --campaign or --format, an unusable --users file. Under `--format json` every failure also
 * prints one `{"error":{code,message,…}}` object on stdout, so that `pocket … --format json | jq` always reads one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../../src/ledger/db';
import { copyRepo, FIXTURE_ROOT, json, pocket, type PocketRun, type RepoCopy } from './run-pocket';

jest.setTimeout(60_000);

interface ErrorJson {
  error: { code: string; message: string } & Record<string, unknown>;
}

describe('pocket: operator mistakes', () => {
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let broken: RepoCopy;
  const run = (...args: string[]): Promise<PocketRun> => pocket(args, { env });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-mistakes-'));
    // The embedded SQLite ledger: these verbs must fail before writing to it.
    env = {
      NODE_ENV: 'development',
      POCKET_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      LOG_LEVEL: 'warn',
    };
    broken = copyRepo(FIXTURE_ROOT);
    broken.replace('campaigns/shop-week.yaml', 'id: shop-week', 'id: 42');
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    broken.remove();
  });

  describe('a path that cannot be used is named with the reason, without a stack trace', () => {
    let rulesIsFile: RepoCopy;
    beforeAll(() => {
      rulesIsFile = copyRepo(FIXTURE_ROOT);
      rmSync(join(rulesIsFile.root, 'rules'), { recursive: true });
      writeFileSync(join(rulesIsFile.root, 'rules'), 'not a directory\n');
    });
    afterAll(() => rulesIsFile.remove());

    it('--root that is a file is a usage error naming it', async () => {
      expect(await run('--root', '/etc/passwd', 'validate')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'pocket: --root /etc/passwd: not a directory\n',
      });
    });

    it('a rules entry that is a file', async () => {
      expect(await run('--root', rulesIsFile.root, 'validate')).toEqual({
        code: 1,
        stdout: '',
        stderr: `pocket: cannot use ${join(rulesIsFile.root, 'rules')}: not a directory (ENOTDIR)\n`,
      });
    });

    // Under /proc, Node 20's recursive mkdir loops forever: one line at once instead.
    it.each([
      ['under a file', '/etc/passwd/sub', 'not a directory (ENOTDIR)'],
      ['under /proc', '/proc/pocket-data', 'no such file or directory (ENOENT)'],
    ])('POCKET_DATA_DIR %s', async (_what, dir, reason) => {
      const failed = await pocket(['audit'], { env: { ...env, POCKET_DATA_DIR: dir } });
      expect(failed).toEqual({ code: 1, stdout: '', stderr: `pocket: cannot use ${dir}: ${reason}\n` });
    });

    it('POCKET_DATA_DIR that may not be created, also as JSON', async () => {
      const failed = await pocket(['audit', '--format', 'json'], {
        env: { ...env, POCKET_DATA_DIR: '/sys/x' },
      });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^pocket: cannot use \/sys\/x: [a-z ]+ \((EPERM|EACCES|EROFS)\)\n$/);
      expect(json<ErrorJson>(failed)).toEqual({
        error: {
          code: 'path_unusable',
          message: failed.stderr.slice('pocket: '.length, -1),
          path: '/sys/x',
          errno: expect.stringMatching(/^(EPERM|EACCES|EROFS)$/),
        },
      });
    });
  });

  describe('--format json: every failure prints one error object on stdout', () => {
    it('publish with invalid definitions: the findings with their positions', async () => {
      const failed = await run('--root', broken.root, 'publish', '--format', 'json');
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /^pocket: definitions are invalid: 1 error( \(`pocket validate` also shows \d+ warnings?\))?:\n/,
      );
      const { error } = json<ErrorJson>(failed);
      expect(error).toMatchObject({ code: 'definitions_invalid' });
      expect(error['errors']).toEqual([
        {
          file: expect.stringMatching(/campaigns\/shop-week\.yaml$/),
          line: expect.any(Number),
          col: expect.any(Number),
          path: 'id',
          message: expect.any(String),
        },
      ]);
    });

    it('test with invalid definitions', async () => {
      const failed = await run('--root', broken.root, 'test', '--format', 'json');
      expect(failed.code).toBe(1);
      expect(json<ErrorJson>(failed).error).toMatchObject({
        code: 'definitions_invalid',
        errors: [expect.objectContaining({ path: 'id' })],
      });
    });

    it.each([
      [['--root', FIXTURE_ROOT, 'publish', 'nope'], 'unknown_campaign'],
      [['--root', FIXTURE_ROOT, 'diff', 'nope'], 'unknown_campaign'],
      [['report', 'nope'], 'campaign_not_found'],
      [['--root', FIXTURE_ROOT, 'explain', 'shop-week', '--profile', '{}', '--at', 'soon'], 'invalid_option'],
      [['--root', FIXTURE_ROOT, 'explain', 'shop-week'], 'usage'],
    ])('pocket %j', async (args, code) => {
      const failed = await run(...args, '--format', 'json');
      expect(failed.code).toBeGreaterThan(0);
      const { error } = json<ErrorJson>(failed);
      expect(error.code).toBe(code);
      // The same message as stderr's first line.
      expect(failed.stderr.split('\n')[0]).toContain(error.message);
    });

    it('lifecycle verbs print their error object once', async () => {
      const failed = await run('--root', FIXTURE_ROOT, 'versions', 'nope', '--format', 'json');
      expect(failed.code).toBe(1);
      expect(json<ErrorJson>(failed).error.code).toEqual(expect.any(String));
    });
  });

  it('migrate refuses a bad --format', async () => {
    expect(await run('migrate', '--format', 'banana')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pocket: --format must be one of text, json (got "banana")\n',
    });
  });

  it('discrepancies list refuses an unknown --kind, naming the valid ones', async () => {
    const failed = await run('discrepancies', 'list', '--kind', 'bogus');
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(
      /^pocket: --kind must be one of hot_state_lost, .*voided_but_issued, .* \(got "bogus"\)\n$/,
    );
    expect((await run('discrepancies', 'list', '--kind', 'voided_but_issued')).code).toBe(0);
  });

  it('reconcile refuses a campaign the ledger does not know with exit 2 (a bad option) and records no run', async () => {
    const failed = await run('reconcile', '--campaign', 'nope', '--grace', '0');
    expect(failed).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'pocket: unknown campaign "nope": it was never published to this ledger; nothing was reconciled\n',
    });
    const db = createDb({ sqliteFile: join(dataDir, 'pocket.sqlite') });
    try {
      expect(await db('reconcile_runs').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  });

  describe('dry-run --users', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'pocket-users-'));
      mkdirSync(join(dir, 'users.d'));
      writeFileSync(join(dir, 'empty.jsonl'), '\n\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a directory, saying so', async () => {
      const users = join(dir, 'users.d');
      expect(await run('--root', FIXTURE_ROOT, 'dry-run', 'shop-week', '--users', users)).toEqual({
        code: 2,
        stdout: '',
        stderr: `pocket: --users: ${users} is a directory, not a JSON Lines file\n`,
      });
    });

    it('refuses a file without users', async () => {
      const users = join(dir, 'empty.jsonl');
      expect(await run('--root', FIXTURE_ROOT, 'dry-run', 'shop-week', '--users', users)).toEqual({
        code: 2,
        stdout: '',
        stderr: `pocket: --users: ${users} holds no users (it is empty)\n`,
      });
    });
  });
});
