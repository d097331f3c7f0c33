/**
 * A `pocket serve` / `pocket worker` that cannot boot says why in one line naming the variable (no stack
 * trace, no password) and exits 1 at once, instead of staying alive without listening. The ledger verbs
 * (migrate, lifecycle, reports, tokens…) name an unreachable DATABASE_URL the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROOT, pocket } from './run-pocket';

jest.setTimeout(60_000);

describe('boot failures of the long-running verbs', () => {
  let dataDir: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-boot-'));
    env = {
      NODE_ENV: 'development',
      PORT: '0',
      POCKET_DATA_DIR: dataDir,
      POCKET_DEFINITIONS: FIXTURE_ROOT,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(['serve', 'worker'])(
    '%s: a bad cron expression is a configuration error naming the variable',
    async (verb) => {
      const run = await pocket([verb], { env: { ...env, RECONCILE_CRON: '99 99 99 99 99' } });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'pocket: invalid configuration:\n  RECONCILE_CRON="99 99 99 99 99": must be a valid cron expression (e.g. "*/5 * * * *")\n',
      );
    },
  );

  it('prints a bad value as a configuration error, not a crash', async () => {
    const run = await pocket(['serve'], { env: { ...env, PORT: 'abc' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('pocket: invalid configuration:\n  PORT="abc": must be integer\n');
  });

  it.each(['serve', 'worker'])(
    '%s: an unreachable DATABASE_URL is named, without its password',
    async (verb) => {
      const run = await pocket([verb], {
        env: { ...env, DATABASE_URL: 'postgres://pocket:s3cret@127.0.0.1:1/pocket' },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'pocket: cannot reach DATABASE_URL (postgres://pocket:***@127.0.0.1:1/pocket): connect ECONNREFUSED 127.0.0.1:1\n',
      );
    },
  );

  it.each([
    ['migrate'],
    ['versions', 'x'],
    ['pause', 'x'],
    ['audit'],
    ['tokens', 'list'],
    ['discrepancies', 'list'],
  ])(
    'pocket %s: an unreachable DATABASE_URL is named, without a stack trace or a driver log',
    async (...args) => {
      const run = await pocket(args, {
        env: { ...env, DATABASE_URL: 'postgres://pocket:s3cret@127.0.0.1:1/pocket' },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'pocket: cannot reach DATABASE_URL (postgres://pocket:***@127.0.0.1:1/pocket): connect ECONNREFUSED 127.0.0.1:1\n',
      );
    },
  );

  it('serve: an unreachable REDIS_URL is named, without its password', async () => {
    const run = await pocket(['serve'], { env: { ...env, REDIS_URL: 'redis://:s3cret@127.0.0.1:1/0' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'pocket: cannot reach REDIS_URL (redis://:***@127.0.0.1:1/0): connect ECONNREFUSED 127.0.0.1:1\n',
    );
  });

  describe('with its port taken', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('serve exits 1 at once instead of staying alive without listening', async () => {
      const started = Date.now();
      const run = await pocket(['serve'], { env: { ...env, PORT: String(port) } });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^pocket: /);
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });
});
