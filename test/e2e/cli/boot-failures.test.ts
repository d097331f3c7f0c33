/**
 * A `pocket serve` / `pocket worker` that cannot boot says why in one line naming the variable (no stack
 * trace, no password) and exits 1 at once, instead of staying alive without listening. The ledger verbs
 * (migrate, lifecycle, reports, tokens…) name an unreachable DATABASE_URL the same way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { copyRepo, FIXTURE_ROOT, pocket, REPO_ROOT } from './run-pocket';

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

  it('serve: a TRUST_PROXY subnet express cannot compile is a configuration error, not a TypeError stack', async () => {
    const run = await pocket(['serve'], { env: { ...env, TRUST_PROXY: 'loopback, 10.0.0.0/99' } });
    expect([run.code, run.stderr]).toEqual([
      1,
      'pocket: invalid configuration:\n  TRUST_PROXY="loopback, 10.0.0.0/99": must be true, false, a hop count, or a ' +
        'comma-separated list of IP addresses, CIDR subnets (e.g. 10.0.0.0/8) and loopback, linklocal, uniquelocal ' +
        '("10.0.0.0/99" is not an IP address or subnet)\n',
    ]);
  });

  it.each(['serve', 'worker'])(
    '%s: a REDIS_URL database that is not a number is a configuration error, not an unhandled ReplyError',
    async (verb) => {
      const run = await pocket([verb], { env: { ...env, REDIS_URL: 'redis://:s3cret@127.0.0.1:1/abc' } });
      expect([run.code, run.stderr]).toEqual([
        1,
        'pocket: invalid configuration:\n  REDIS_URL="redis://:***@127.0.0.1:1/abc": the database after the host ' +
          'must be a number (e.g. "redis://host:6379/0"), not "abc"\n',
      ]);
    },
  );

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

  it('a ledger verb gives up on a PostgreSQL that accepts the connection and never answers, and exits', async () => {
    // A hung server or a silent proxy: the connection opens, no byte ever comes back.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await pocket(['versions', 'x', '--format', 'json'], {
        env: { ...env, DATABASE_URL: `postgres://pocket:s3cret@127.0.0.1:${port}/pocket` },
      });
      const message = `cannot reach DATABASE_URL (postgres://pocket:***@127.0.0.1:${port}/pocket): no answer within 10 s`;
      expect([run.code, run.stderr]).toEqual([1, `pocket: ${message}\n`]);
      // An outage, as a ledger that stops answering mid-run: a pipeline may retry it.
      expect(JSON.parse(run.stdout)).toEqual({
        error: { code: 'dependency_unavailable', message, dependency: 'ledger' },
      });
    } finally {
      silent.close();
    }
  });

  it('in production a one-shot verb needs only the secrets it reads; serve needs WEBHOOK_SECRET only for what it signs', async () => {
    const production = { ...env, NODE_ENV: 'production' };
    const codes = await pocket(['codes', 'issue', 'spring-sale'], {
      env: { ...production, ACTIVITY_CODE_SECRET: 'k'.repeat(40) },
    });
    expect([codes.code, codes.stdout.split('\n').filter(Boolean)]).toEqual([0, [expect.any(String)]]);
    expect((await pocket(['blocklist', 'list'], { env: production })).code).toBe(0);
    const reconcile = await pocket(['reconcile', '--grace', '0'], {
      env: { ...production, NOTIFY_URL: 'http://127.0.0.1:9/hook' },
    });
    const notifies = ' (WEBHOOK_SECRET signs the webhooks to NOTIFY_URL)';
    expect([reconcile.code, reconcile.stderr]).toEqual([
      1,
      `pocket: invalid configuration: WEBHOOK_SECRET required when NODE_ENV=production${notifies}\n`,
    ]);
    const serve = await pocket(['serve'], { env: { ...production, ACTIVITY_CODE_SECRET: 'k'.repeat(40) } });
    expect([serve.code, serve.stderr]).toEqual([
      1,
      'pocket: invalid configuration: USER_TOKEN_SECRET required when NODE_ENV=production\n',
    ]);
    const notifying = await pocket(['serve'], {
      env: { ...production, ACTIVITY_CODE_SECRET: 'k'.repeat(40), NOTIFY_URL: 'http://127.0.0.1:9/hook' },
    });
    expect([notifying.code, notifying.stderr]).toEqual([
      1,
      `pocket: invalid configuration: WEBHOOK_SECRET, USER_TOKEN_SECRET required when NODE_ENV=production${notifies}\n`,
    ]);
  });

  it('in production serve needs a profile source: PROFILE_URL, or a profiles file that exists', async () => {
    // Without one, every user but the testers had an empty profile, said by one info line: segment rules answered
    // not_eligible and account-age checks velocity, stored as final answers.
    const production = {
      ...env,
      NODE_ENV: 'production',
      ACTIVITY_CODE_SECRET: 'k'.repeat(40),
      USER_TOKEN_SECRET: 'u'.repeat(40),
      PROFILES_FILE: join(dataDir, 'no-profiles.jsonl'),
      PROFILE_URL: undefined,
      HOST: '192.0.2.1',
    };
    const missing = await pocket(['serve'], { env: production });
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'pocket: invalid configuration: NODE_ENV=production needs a profile source: set PROFILE_URL (the profile ' +
        `service) or PROFILES_FILE to a profiles file (there is none at ${join(dataDir, 'no-profiles.jsonl')}); ` +
        'without one every user but the testers has an empty profile, which segment rules and account-age ' +
        'checks refuse\n',
    ]);
    // Past it with either: the next check stops the boot (an address this machine does not have).
    writeFileSync(join(dataDir, 'profiles.jsonl'), '');
    for (const source of [
      { PROFILE_URL: 'http://127.0.0.1:9' },
      { PROFILES_FILE: join(dataDir, 'profiles.jsonl') },
    ]) {
      const past = await pocket(['serve'], { env: { ...production, ...source } });
      expect([past.code, past.stderr]).toEqual([1, expect.stringContaining('cannot listen on 192.0.2.1')]);
    }
  });

  it('in production a verb that talks to an issuer needs WEBHOOK_SECRET, which signs its requests; void and redeliver do not', async () => {
    const production = { ...env, NODE_ENV: 'production' };
    const withIssuer = { ...production, ISSUER_COUPON_URL: 'http://127.0.0.1:9/coupons' };
    const required =
      'pocket: invalid configuration: WEBHOOK_SECRET required when NODE_ENV=production (WEBHOOK_SECRET signs ' +
      'the requests to ISSUER_COUPON_URL, which has no ISSUER_COUPON_SECRET)\n';
    // Without an issuer URL (or NOTIFY_URL) reconcile signs nothing and needs no secret.
    expect((await pocket(['reconcile', '--grace', '0'], { env: production })).stderr).not.toMatch(/SECRET/);
    const reconcile = await pocket(['reconcile', '--grace', '0'], { env: withIssuer });
    expect([reconcile.code, reconcile.stderr]).toEqual([1, required]);
    // An issuer with a secret of its own needs no WEBHOOK_SECRET: reconcile goes on to read the issuer (which
    // is not there).
    const own = await pocket(['reconcile', '--grace', '0'], {
      env: { ...withIssuer, ISSUER_COUPON_SECRET: 'c'.repeat(40) },
    });
    expect(own.stderr).not.toMatch(/SECRET/);
    expect(own.stderr).toContain('127.0.0.1:9');
    // Voiding and redelivering only write the ledger (the relay sends a redelivered grant): with an issuer and
    // NOTIFY_URL set they need no WEBHOOK_SECRET, and go on to look the grant up. Both demanded it.
    const sendsNothing = { ...withIssuer, NOTIFY_URL: 'http://127.0.0.1:9/hook' };
    const voided = await pocket(['grants', 'void', 'g-1', '--reason', 'duplicate'], { env: sendsNothing });
    expect([voided.code, voided.stderr]).toEqual([1, 'pocket: grant g-1 does not exist\n']);
    const redeliver = await pocket(['grants', 'redeliver', 'g-1'], { env: sendsNothing });
    expect([redeliver.code, redeliver.stderr]).toEqual([1, 'pocket: grant g-1 does not exist\n']);
    const others = { ACTIVITY_CODE_SECRET: 'k'.repeat(40), USER_TOKEN_SECRET: 'u'.repeat(40) };
    const worker = await pocket(['worker'], { env: { ...withIssuer, ...others } });
    expect([worker.code, worker.stderr]).toEqual([1, required]);
  });

  it('serve: an unreachable REDIS_URL is named, without its password', async () => {
    const run = await pocket(['serve'], { env: { ...env, REDIS_URL: 'redis://:s3cret@127.0.0.1:1/0' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'pocket: cannot reach REDIS_URL (redis://:***@127.0.0.1:1/0): connect ECONNREFUSED 127.0.0.1:1\n',
    );
  });

  it('serve without definitions: a configuration error naming POCKET_DEFINITIONS, no stack trace', async () => {
    // It printed the loader's finding (`…/no-definitions:1:1: (root): no campaigns/ or rules/ directory here`),
    // which named neither the variable that led there nor the way to start without local definitions.
    const missing = join(dataDir, 'no-definitions');
    const run = await pocket(['serve'], { env: { ...env, POCKET_DEFINITIONS: missing } });
    expect([run.code, run.stderr]).toEqual([
      1,
      `pocket: invalid configuration:\n  POCKET_DEFINITIONS="${missing}": holds no campaigns/ or rules/ directory; ` +
        'point it at the definitions repository (the service publishes its campaigns on start), or set ' +
        'POCKET_PUBLISH_ON_START=false\n',
    ]);
    const skipped = await pocket(['serve'], {
      env: { ...env, POCKET_DEFINITIONS: missing, POCKET_PUBLISH_ON_START: 'false', HOST: '192.0.2.1' },
    });
    // Past the definitions: it stops at the next check (an address this machine does not have), not at them.
    expect(skipped.stderr).toContain('HOST');
  });

  it('serve --root: the repository named by --root is the one published, broken or missing', async () => {
    // It read POCKET_DEFINITIONS (or the working directory, this repository, valid) alone: a broken repository
    // named by --root started the service on other definitions, without a word.
    const broken = copyRepo(FIXTURE_ROOT);
    try {
      const at = broken.replace('campaigns/shop-week.yaml', 'total: 2, daily: 1', 'total: "2", daily: 1');
      const { POCKET_DEFINITIONS: _unset, ...noVariable } = env;
      const run = await pocket(['--root', broken.root, 'serve'], {
        env: { ...noVariable, HOST: '192.0.2.1' },
      });
      expect([run.code, run.stderr]).toEqual([
        1,
        'pocket: definitions are invalid: 1 error:\n' +
          `${relative(REPO_ROOT, join(broken.root, 'campaigns/shop-week.yaml'))}:${at.line}:${at.col + 7}: ` +
          'limits.perUser.total: must be an integer (got "2"); write numbers without quotes\n',
      ]);
    } finally {
      broken.remove();
    }
    const missing = join(dataDir, 'no-definitions');
    const run = await pocket(['--root', missing, 'serve'], { env });
    expect([run.code, run.stderr]).toEqual([
      1,
      `pocket: invalid configuration:\n  --root ${missing}: holds no campaigns/ or rules/ directory; ` +
        'point it at the definitions repository (the service publishes its campaigns on start), or set ' +
        'POCKET_PUBLISH_ON_START=false\n',
    ]);
  });

  it('serve on an address this machine does not have: one line naming HOST', async () => {
    const run = await pocket(['serve'], { env: { ...env, HOST: '192.0.2.1' } });
    expect([run.code, run.stderr]).toEqual([
      1,
      'pocket: cannot listen on 192.0.2.1 port 0: no interface of this machine has that address; set HOST to one of its addresses (EADDRNOTAVAIL)\n',
    ]);
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
      expect([run.code, run.stderr]).toEqual([
        1,
        `pocket: cannot listen on 127.0.0.1 port ${port}: the port is already in use; stop the other process or set PORT to a free one (EADDRINUSE)\n`,
      ]);
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });
});
