import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyActivityCode } from '../../../src/protection/activity-code';
import { json, pocket } from './run-pocket';

// Each test runs the CLI as several processes (about 1-3 s each, more on a loaded machine).
jest.setTimeout(180_000);

const SECRET = 'cli-test-activity-code-secret-0123456789';

describe('pocket codes issue', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-codes-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const run = (args: string[]) =>
    pocket(['codes', 'issue', ...args], {
      env: { POCKET_DATA_DIR: dataDir, ACTIVITY_CODE_SECRET: SECRET, DATABASE_URL: undefined },
    });

  it('prints --count distinct codes, one per line, valid for the campaign (and user) until --ttl', async () => {
    const res = await run(['spring-sale', '--count', '5', '--ttl', '2h', '--user', 'u-7']);
    expect(res.code).toBe(0);
    const codes = res.stdout.trim().split('\n');
    expect(codes).toHaveLength(5);
    expect(new Set(codes).size).toBe(5);
    expect(res.stderr).toMatch(/issued 5 codes for spring-sale, valid until \d{4}-/);
    const now = new Date();
    for (const c of codes) {
      const check = verifyActivityCode(SECRET, c, { campaignId: 'spring-sale', userId: 'u-7', now });
      expect(check.ok).toBe(true);
      if (check.ok) {
        expect(check.claims.expiresAt - now.getTime() / 1000).toBeGreaterThan(3500);
        expect(check.claims.expiresAt - now.getTime() / 1000).toBeLessThanOrEqual(7200);
      }
      expect(verifyActivityCode(SECRET, c, { campaignId: 'spring-sale', userId: 'u-8', now }).ok).toBe(false);
    }
  });

  it('signs with ACTIVITY_CODE_SECRET, never with ACTIVITY_CODE_SECRET_PREVIOUS (a rotation in progress)', async () => {
    const previous = 'cli-test-previous-activity-code-secret-01';
    const res = await pocket(['codes', 'issue', 'spring-sale'], {
      env: {
        POCKET_DATA_DIR: dataDir,
        ACTIVITY_CODE_SECRET: SECRET,
        ACTIVITY_CODE_SECRET_PREVIOUS: previous,
        DATABASE_URL: undefined,
      },
    });
    expect(res.code).toBe(0);
    const expected = { campaignId: 'spring-sale', userId: 'u-7', now: new Date() };
    expect(verifyActivityCode(SECRET, res.stdout.trim(), expected).ok).toBe(true);
    expect(verifyActivityCode(previous, res.stdout.trim(), expected).ok).toBe(false);
  });

  it('refuses bad options with exit code 2 and prints no code', async () => {
    for (const args of [
      ['Bad Campaign'],
      ['spring-sale', '--ttl', '2w'],
      ['spring-sale', '--count', '0'],
      ['spring-sale', '--user', 'a b'],
    ]) {
      const res = await run(args);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/^pocket: /);
    }
  });

  it('names the argument or option that is wrong and what it takes', async () => {
    const badCampaign = await run(['Spring-Sale']);
    expect(badCampaign.code).toBe(2);
    expect(badCampaign.stderr).toBe(
      'pocket: "Spring-Sale" is not a campaign id: ids are kebab-case (a-z, 0-9 and single hyphens), 1-64 ' +
        'characters (did you mean "spring-sale"?)\n',
    );
    const badUser = await run(['spring-sale', '--user', 'a/b']);
    expect(badUser.code).toBe(2);
    expect(badUser.stderr).toBe(
      'pocket: --user: a user id is 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone (got "a/b")\n',
    );
  });
});

describe('pocket blocklist', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-blocklist-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const run = (args: string[]) =>
    pocket(['blocklist', ...args], { env: { POCKET_DATA_DIR: dataDir, DATABASE_URL: undefined } });

  it('adds, lists and removes users, devices and IPs', async () => {
    expect((await run(['add', '--user', 'farmer-1', '--reason', 'coupon farming'])).stdout.trim()).toBe(
      'blocked user farmer-1',
    );
    expect((await run(['add', '--ip', '::ffff:203.0.113.9'])).stdout.trim()).toBe('blocked ip 203.0.113.9');
    expect((await run(['add', '--device', 'emulator-42'])).code).toBe(0);
    const listed = json<{ entries: Array<Record<string, unknown>> }>(await run(['list', '--format', 'json']));
    expect(listed.entries.map((e) => [e['kind'], e['value'], e['reason']])).toEqual([
      ['device', 'emulator-42', null],
      ['ip', '203.0.113.9', null],
      ['user', 'farmer-1', 'coupon farming'],
    ]);
    expect((await run(['remove', '--ip', '203.0.113.9'])).stdout.trim()).toBe('unblocked ip 203.0.113.9');
    const again = await run(['remove', '--ip', '203.0.113.9']);
    expect([again.code, again.stderr.trim()]).toEqual([1, 'pocket: ip 203.0.113.9 is not blocked']);
    expect((await run(['list'])).stdout).toMatch(/user\s+farmer-1\s+\S+\s+coupon farming/);
  });

  it('refuses no subject, two subjects, or a malformed one, with exit code 2', async () => {
    for (const args of [['add'], ['add', '--user', 'a', '--ip', '1.2.3.4'], ['add', '--ip', '999.1.1.1']]) {
      const res = await run(args);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^pocket: /);
    }
  });
});

describe('verbs that work on a ledger, where POCKET_SERVER is set and DATABASE_URL is not', () => {
  it('refuse, and create no local ledger: the operator meant the service', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pocket-server-env-'));
    try {
      const env = {
        POCKET_DATA_DIR: dataDir,
        DATABASE_URL: undefined,
        POCKET_SERVER: 'http://127.0.0.1:1',
        POCKET_TOKEN: 'pk_admin_unused',
      };
      // It printed "blocked user fraudster", exit 0, into a new ./data ledger the service never read.
      for (const args of [
        ['blocklist', 'add', '--user', 'fraudster', '--reason', 'coupon farming'],
        ['tokens', 'list'],
        ['grants', 'void', 'g-1', '--reason', 'duplicate'],
        ['reconcile'],
      ]) {
        const res = await pocket(args, { env });
        expect([args[0], res.code, res.stdout, res.stderr]).toEqual([
          args[0],
          2,
          '',
          "pocket: POCKET_SERVER is set, but this verb works on a ledger, not through a service: set DATABASE_URL to the service's ledger, or unset POCKET_SERVER to use the local one under ./data\n",
        ]);
      }
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
