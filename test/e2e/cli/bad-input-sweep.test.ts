/**
 * Bad input found by sweeping every verb, beyond usage.test.ts and operator-mistakes.test.ts: each gets one
 * readable line (exit 2 for a bad option, 1 for a failure), never a TypeError or a driver stack, never exit 0,
 * never text on stdout under --format json, and changes nothing.
 */
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../../src/ledger/db';
import { describeWithServices } from '../../helpers/services';
import { copyRepo, FIXTURE_ROOT, json, pocket, type PocketRun, withClosedStdout } from './run-pocket';

jest.setTimeout(60_000);

interface ErrorJson {
  error: { code: string; message: string } & Record<string, unknown>;
}

/** One line on stderr, no stack frame, no TypeError. */
function expectOneLine(run: PocketRun): void {
  expect(run.stderr).toMatch(/^pocket: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/TypeError|unexpected error|\n\s+at /);
}

describe('pocket: bad input sweep', () => {
  let dataDir: string;
  let env: Record<string, string | undefined>;
  const run = (...args: string[]): Promise<PocketRun> => pocket(args, { env });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-sweep-'));
    env = {
      NODE_ENV: 'development',
      POCKET_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      POCKET_SERVER: undefined,
      POCKET_TOKEN: undefined,
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('a closed stdout (pocket … | head -c 0) keeps the exit code of a failure', () => {
    it.each([
      [['versions', 'nope', '--format', 'json'], 1],
      [['--root', join(tmpdir(), 'pocket-no-such-root'), 'validate', '--format', 'json'], 2],
      [['--root', join(tmpdir(), 'pocket-no-such-root'), 'test', '--format', 'json'], 2],
    ])('pocket %j', async (args, code) => {
      const closed = await withClosedStdout(args, env);
      expect(closed.code).toBe(code);
      expect(closed.stderr).not.toMatch(/EPIPE|\n\s+at /);
    });
  });

  // The admin endpoints refuse a note over 1,000 characters (400): the ledger took it, so a pipeline's publish
  // worked locally and failed through --server.
  describe('a --note longer than a change records, refused before anything is read or written', () => {
    const long = 'x'.repeat(1001);
    it.each([
      [['--root', FIXTURE_ROOT, 'publish']],
      [['rollback', 'shop-week', '--to', '1']],
      [['pause', 'shop-week']],
      [['resume', 'shop-week']],
      [['discrepancies', 'resolve', 'd-1']],
    ])('pocket %j --note <1,001 characters>', async (args) => {
      expect(await run(...args, '--note', long)).toEqual({
        code: 2,
        stdout: '',
        stderr: 'pocket: --note must be at most 1000 characters (got 1001)\n',
      });
    });

    it('says so in JSON too, and takes a note of exactly 1,000', async () => {
      const refused = await run('pause', 'shop-week', '--note', long, '--format', 'json');
      expect(json<ErrorJson>(refused).error).toEqual({
        code: 'invalid_option',
        message: '--note must be at most 1000 characters (got 1001)',
      });
      // At the limit the note passes, and the verb goes on to its own answer (never published here). Characters
      // as a person counts them: 1,000 emoji are 2,000 JavaScript units, and 600 were "got 1200".
      for (const note of ['x'.repeat(1000), '🚀'.repeat(1000)]) {
        const taken = await run('pause', 'shop-week', '--note', note);
        expect([taken.code, taken.stderr]).toEqual([
          1,
          'pocket: campaign "shop-week" was never published (campaign_not_found)\n',
        ]);
      }
      expect((await run('pause', 'shop-week', '--note', '🚀'.repeat(1001))).stderr).toBe(
        'pocket: --note must be at most 1000 characters (got 1001)\n',
      );
    });
  });

  it.each([[['validate']], [['test']], [['publish']], [['versions', 'shop-week']]])(
    'pocket --root <no directory> %j names it in one line (exit 2)',
    async (verb) => {
      // It was a definitions error at a made-up `../../nonexistent:1:1`, never saying the directory was missing.
      const missing = join(dataDir, 'no-such-repo');
      expect(await run('--root', missing, ...verb)).toEqual({
        code: 2,
        stdout: '',
        stderr: `pocket: --root ${missing}: no such directory\n`,
      });
      const file = join(dataDir, 'a-file');
      writeFileSync(file, '');
      expect((await run('--root', file, ...verb)).stderr).toBe(`pocket: --root ${file}: not a directory\n`);
    },
  );

  it.each([[['pause', 'shop-week']], [['versions', 'shop-week']], [['grants', 'list', 'shop-week']]])(
    'pocket %j --token without --server is a usage error, not a change to the local ledger',
    async (args) => {
      // The token was ignored: a pause meant for production paused the ledger of the shell it ran in.
      expect(await run(...args, '--token', 't')).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'pocket: --token is for --server: give --server <url> (or POCKET_SERVER) too, or leave --token out to ' +
          'act on the ledger of this environment\n',
      });
    },
  );

  it('POCKET_TOKEN without POCKET_SERVER warns that the verb acts on the local ledger', async () => {
    const run = await pocket(['versions', 'shop-week'], { env: { ...env, POCKET_TOKEN: 't' } });
    expect([run.code, run.stderr]).toEqual([
      1,
      'warning: POCKET_TOKEN is set but POCKET_SERVER is not: acting on the ledger of this environment\n' +
        'pocket: campaign "shop-week" was never published (campaign_not_found)\n',
    ]);
  });

  describe('--server that is not a pocket service', () => {
    let server: Server;
    let url: string;
    const answers: Record<string, (res: ServerResponse) => void> = {
      // Another app's JSON: 200 with some other object.
      '/other': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
      // An error answer whose body is JSON null.
      '/null': (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('null'),
      // A static file server's page.
      '/plain': (res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'),
      // pocket itself, given --server …/admin: the verbs' paths under /admin/admin/… have no route.
      '/admin': (res) =>
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(
            '{"error":{"code":"not_found","message":"no route for POST /admin/admin/campaigns/shop-week/pause"}}',
          ),
    };
    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const prefix = `/${(req.url ?? '').split('/')[1] ?? ''}`;
        (answers[prefix] ?? ((r: ServerResponse) => r.writeHead(500).end()))(res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.each([
      [['versions', 'shop-week']],
      [['audit']],
      [['report', 'shop-week']],
      [['publish']],
      [['diff', 'shop-week']],
    ])('pocket %j against JSON that is not a pocket answer', async (args) => {
      const failed = await run('--root', FIXTURE_ROOT, ...args, '--server', `${url}/other`, '--token', 't');
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('');
      expectOneLine(failed);
      expect(failed.stderr).toContain(
        'is not a pocket answer (is --server the address of a pocket service?)',
      );
    });

    it('pause is not reported done when the answer is not a pocket one', async () => {
      const failed = await run('pause', 'shop-week', '--server', `${url}/other`, '--token', 't');
      expect(failed).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'pocket: POST /admin/campaigns/shop-week/pause: the server answered 200 with JSON that is not a pocket ' +
          'answer (is --server the address of a pocket service?)\n',
      });
    });

    it('an error answer of JSON null, also as JSON', async () => {
      const failed = await run(
        'versions',
        'shop-week',
        '--server',
        `${url}/null`,
        '--token',
        't',
        '--format',
        'json',
      );
      expect(failed.code).toBe(1);
      expectOneLine(failed);
      expect(json<ErrorJson>(failed).error.message).toBe(
        'GET /admin/campaigns/shop-week/versions: the server answered 404 without a pocket error ' +
          '(is --server the address of a pocket service?)',
      );
    });

    it('an answer without JSON asks whether --server is a pocket service', async () => {
      const failed = await run('versions', 'shop-week', '--server', `${url}/plain`, '--token', 't');
      expect([failed.code, failed.stderr]).toEqual([
        1,
        'pocket: GET /admin/campaigns/shop-week/versions: the server answered 404 without JSON ' +
          '(is --server the address of a pocket service?)\n',
      ]);
    });

    it('--server ending in /admin says to give the base address', async () => {
      const failed = await run('pause', 'shop-week', '--server', `${url}/admin/`, '--token', 't');
      expect([failed.code, failed.stderr]).toEqual([
        1,
        'pocket: POST /admin/campaigns/shop-week/pause: no route for POST /admin/admin/campaigns/shop-week/pause: ' +
          `--server is the service's base address, without /admin (--server ${url})\n`,
      ]);
    });

    it.each(['http://a b', 'http://127.0.0.1:99999'])(
      'refuses the unparsable URL %s as a usage error',
      async (bad) => {
        expect(await run('versions', 'shop-week', '--server', bad, '--token', 't')).toEqual({
          code: 2,
          stdout: '',
          stderr: `pocket: --server must be an http(s) URL such as http://pocket:3000 (got "${bad}")\n`,
        });
      },
    );
  });

  describe('an embedded ledger file that is not a database', () => {
    let badDir: string;
    let dirDir: string;
    const garbage = 'not a database\n';
    beforeAll(() => {
      badDir = mkdtempSync(join(tmpdir(), 'pocket-sweep-bad-'));
      writeFileSync(join(badDir, 'pocket.sqlite'), garbage);
      dirDir = mkdtempSync(join(tmpdir(), 'pocket-sweep-dir-'));
      mkdirSync(join(dirDir, 'pocket.sqlite'));
    });
    afterAll(() => {
      rmSync(badDir, { recursive: true, force: true });
      rmSync(dirDir, { recursive: true, force: true });
    });

    it.each([
      [['versions', 'shop-week', '--format', 'json']],
      [['report', 'shop-week', '--format', 'json']],
      [['worker', '--once', '--format', 'json']],
      [['tokens', 'list', '--format', 'json']],
    ])('pocket %j: one line, and stdout holds only the error object', async (args) => {
      const file = join(badDir, 'pocket.sqlite');
      const failed = await pocket(args, { env: { ...env, POCKET_DATA_DIR: badDir } });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe(`pocket: cannot use the SQLite ledger ${file}: file is not a database\n`);
      expect(json<ErrorJson>(failed).error.message).toBe(
        `cannot use the SQLite ledger ${file}: file is not a database`,
      );
      expect(readFileSync(file, 'utf8')).toBe(garbage);
    });

    it('serve names the file instead of a driver stack', async () => {
      const file = join(badDir, 'pocket.sqlite');
      const failed = await pocket(['serve'], { env: { ...env, PORT: '0', POCKET_DATA_DIR: badDir } });
      expect(failed).toEqual({
        code: 1,
        stdout: '',
        stderr: `pocket: cannot use the SQLite ledger ${file}: file is not a database\n`,
      });
    });

    it('a file damaged inside: one line naming the damage and what to do, for serve and a verb', async () => {
      // A real ledger, then pages past the header overwritten: the file still opens as SQLite (the boot check
      // reads the header), and the first statement that reads a damaged page fails.
      const damagedDir = mkdtempSync(join(tmpdir(), 'pocket-sweep-damaged-'));
      try {
        const damagedEnv = { ...env, PORT: '0', POCKET_DATA_DIR: damagedDir };
        expect((await pocket(['migrate'], { env: damagedEnv })).code).toBe(0);
        const file = join(damagedDir, 'pocket.sqlite');
        const bytes = readFileSync(file);
        bytes.fill(0x41, 8192, Math.min(bytes.length, 40_000));
        writeFileSync(file, bytes);
        const message =
          'the SQLite ledger is damaged (database disk image is malformed, SQLITE_CORRUPT): stop every pocket on ' +
          'it, then restore pocket.sqlite from a backup (`sqlite3 pocket.sqlite "PRAGMA integrity_check"` lists ' +
          'the damage)';
        for (const args of [['serve'], ['report', 'shop-week', '--format', 'json']]) {
          const failed = await pocket(args, { env: damagedEnv });
          expect(failed.code).toBe(1);
          expect(failed.stderr).toBe(`pocket: ${message}\n`);
          if (args.includes('json'))
            expect(json<ErrorJson>(failed).error).toEqual({ code: 'ledger_corrupt', message });
          else expect(failed.stdout).toBe('');
        }
        expect(readFileSync(file).equals(bytes)).toBe(true);
      } finally {
        rmSync(damagedDir, { recursive: true, force: true });
      }
    });

    it('a directory where the file should be', async () => {
      const file = join(dirDir, 'pocket.sqlite');
      expect(await pocket(['audit'], { env: { ...env, POCKET_DATA_DIR: dirDir } })).toEqual({
        code: 1,
        stdout: '',
        stderr: `pocket: cannot use the SQLite ledger ${file}: unable to open database file\n`,
      });
    });
  });

  it('reconcile refuses a --grace beyond any date, and records no run', async () => {
    const failed = await run('reconcile', '--grace', '99999999999999999999');
    expect(failed).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pocket: --grace must be a number of minutes from 0 to 525600 (got "99999999999999999999")\n',
    });
    const db = createDb({ sqliteFile: join(dataDir, 'pocket.sqlite') });
    try {
      expect(await db('reconcile_runs').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  });

  it("grants void --format json names the service's error code", async () => {
    const failed = await run('grants', 'void', 'nope', '--reason', 'typo', '--format', 'json');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('pocket: grant nope does not exist\n');
    expect(json<ErrorJson>(failed).error).toEqual({
      code: 'grant_not_found',
      message: 'grant nope does not exist',
    });
  });

  describe('testers --prefix outside the user id alphabet', () => {
    it.each(['bad id!', ''])('generate refuses %j', async (prefix) => {
      const failed = await run(
        '--root',
        FIXTURE_ROOT,
        'testers',
        'generate',
        'shop-week',
        '--segment',
        'vips',
        '--prefix',
        prefix,
      );
      expect(failed).toEqual({
        code: 2,
        stdout: '',
        stderr: `pocket: --prefix must be 1-100 characters of A-Z a-z 0-9 . _ : @ - (a user id) (got "${prefix}")\n`,
      });
    });

    it('add refuses it and leaves the YAML file as it was', async () => {
      const repo = copyRepo(FIXTURE_ROOT);
      try {
        const before = repo.read('campaigns/shop-week.yaml');
        const failed = await run(
          '--root',
          repo.root,
          'testers',
          'add',
          'shop-week',
          '--segment',
          'vips',
          '--prefix',
          'qa tester',
        );
        expect(failed.code).toBe(2);
        expectOneLine(failed);
        expect(repo.read('campaigns/shop-week.yaml')).toBe(before);
      } finally {
        repo.remove();
      }
    });
  });

  it('test says why it fails when there are no campaigns at all', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pocket-sweep-empty-'));
    try {
      mkdirSync(join(empty, 'campaigns'));
      const failed = await run('--root', empty, 'test', '--format', 'json');
      expect(failed.code).toBe(1);
      expect(json(failed)).toEqual({
        error: { code: 'no_cases', message: 'no campaigns to test under campaigns/', untested: [] },
      });
      expect(failed.stderr).toBe('pocket: no campaigns to test under campaigns/\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describeWithServices(['REDIS_URL'], 'pocket: a REDIS_URL whose database the server refuses', () => {
  it('fails at once instead of using database 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pocket-sweep-redis-'));
    try {
      const redisUrl = new URL(process.env['REDIS_URL'] ?? '');
      redisUrl.pathname = '/9999999';
      const failed = await pocket(['worker', '--once'], {
        env: {
          NODE_ENV: 'development',
          POCKET_DATA_DIR: dataDir,
          DATABASE_URL: undefined,
          REDIS_URL: redisUrl.toString(),
          LOG_LEVEL: 'warn',
        },
      });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('');
      expect(failed.stderr).toMatch(/^pocket: cannot use REDIS_URL \(redis:\/\/[^)]*\/9999999\): ERR .*\n$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
