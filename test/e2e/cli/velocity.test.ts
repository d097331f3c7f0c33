/**
 * `test`, `explain` and `dry-run` make the account-age check (protection.velocity.minAccountAgeDays) as the
 * service does: after liveness and the channel, before segments; a refusal is the service's 403 velocity.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepo, FIXTURE_ROOT, json, pocket, REPO_ROOT, type RepoCopy } from './run-pocket';

let repo: RepoCopy;
beforeAll(() => {
  repo = copyRepo(FIXTURE_ROOT);
  // shop-week's newcomers (registeredDays < 7) now need an account at least 3 days old.
  const file = 'campaigns/shop-week.yaml';
  repo.write(file, `${repo.read(file)}protection: { velocity: { minAccountAgeDays: 3 } }\n`);
});
afterAll(() => repo.remove());

const APP = ['--context', '{"channel":"app"}'];

describe('pocket test under minAccountAgeDays', () => {
  it('fails a case whose profile the service would refuse, saying which field, what value and the minimum', async () => {
    const run = await pocket(['--root', repo.root, 'test', 'shop-week']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL  a newcomer gets the coupon');
    expect(run.stdout).toContain(
      [
        '        expected outcome granted, got velocity',
        '        expected segment newcomers, got none (outcome velocity, decided before segments are matched)',
        '        expected reward coupon-5, got no reward (velocity)',
        '        account age refused (403 velocity): profile.registeredDays 1 < minAccountAgeDays 3',
      ].join('\n'),
    );
  });

  it('passes cases that expect velocity, and gives the decision in --format json', async () => {
    const copy = copyRepo(repo.root);
    try {
      copy.write(
        'campaigns/shop-week.test.yaml',
        [
          'campaign: shop-week',
          'cases:',
          '  - { name: one day old, profile: { registeredDays: 1 }, context: { channel: app }, expect: { outcome: velocity, segment: null } }',
          '  - { name: age unknown, profile: { tags: [vip] }, context: { channel: app }, expect: { outcome: velocity } }',
          '  - { name: three days old, profile: { registeredDays: 3 }, context: { channel: app }, expect: { outcome: granted, segment: newcomers } }',
          '',
        ].join('\n'),
      );
      const run = await pocket(['--root', copy.root, 'test', 'shop-week', '--format', 'json']);
      expect(run.code).toBe(0);
      const report = json<{ files: Array<{ results: Array<{ actual: Record<string, unknown> }> }> }>(run);
      expect(report.files[0]?.results.map((r) => r.actual['accountAge'])).toEqual([
        { result: 'deny', min: 3, registeredDays: 1 },
        { result: 'deny', min: 3, registeredDays: null },
        { result: 'pass', min: 3, registeredDays: 3 },
      ]);
    } finally {
      copy.remove();
    }
  });
});

describe('pocket explain under minAccountAgeDays', () => {
  const explain = (...args: string[]) => pocket(['--root', repo.root, 'explain', 'shop-week', ...args]);

  it('shows the refusal and why: the field, its value and the minimum', async () => {
    const run = await explain('--profile', '{"registeredDays":2}', ...APP);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        'account age: refused (403 velocity): profile.registeredDays 2 < minAccountAgeDays 3',
        'outcome: velocity',
        'segment: none (velocity is decided before segments; the conditions alone match newcomers)',
        'reward: none',
      ].join('\n'),
    );
    const missing = await explain('--profile', '{"tags":["vip"]}', ...APP);
    expect(missing.stdout).toContain(
      'account age: refused (403 velocity): profile.registeredDays is missing, and minAccountAgeDays 3 refuses an unknown account age',
    );
  });

  it('gives the decision in --format json as the service stores it (fraud.accountAge)', async () => {
    const refused = json(await explain('--profile', '{"registeredDays":"10"}', ...APP, '--format', 'json'));
    expect(refused).toMatchObject({
      outcome: 'velocity',
      segment: null,
      reward: null,
      fraud: { accountAge: { result: 'deny', min: 3, registeredDays: null } },
    });
    const passed = json(await explain('--profile', '{"registeredDays":5}', ...APP, '--format', 'json'));
    expect(passed).toMatchObject({
      outcome: 'granted',
      segment: 'newcomers',
      fraud: { accountAge: { result: 'pass', min: 3, registeredDays: 5 } },
    });
  });

  it('makes no account-age check for a campaign without one', async () => {
    const run = await pocket(['--root', FIXTURE_ROOT, 'explain', 'shop-week', '--profile', '{}', ...APP]);
    expect(run.stdout).not.toContain('account age');
    expect(
      json(
        await pocket([
          '--root',
          FIXTURE_ROOT,
          'explain',
          'shop-week',
          '--profile',
          '{}',
          ...APP,
          '--format',
          'json',
        ]),
      ),
    ).toMatchObject({ fraud: {} });
  });
});

describe('pocket dry-run under minAccountAgeDays', () => {
  it('counts users the service would refuse as velocity, in JSON and in the text report', async () => {
    const users = join(repo.root, 'users.jsonl');
    const line = (userId: string, profile: object) =>
      JSON.stringify({ userId, profile, context: { channel: 'app' } });
    writeFileSync(
      users,
      [
        line('no-age', { tags: ['vip'] }),
        line('too-new', { registeredDays: 1 }),
        line('newcomer', { registeredDays: 4 }),
        line('vip', { registeredDays: 40, tags: ['vip'] }),
        '',
      ].join('\n'),
    );
    const run = await pocket([
      '--root',
      repo.root,
      'dry-run',
      'shop-week',
      '--users',
      users,
      '--seed',
      's',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const report = json<{
      outcomes: Record<string, number>;
      unmatched: number;
      segments: Record<string, number>;
    }>(run);
    expect(report.outcomes).toEqual({ velocity: 2, granted: 2 });
    expect(report.unmatched).toBe(0);
    expect(report.segments).toEqual({ newcomers: 1, vips: 1 });
    const text = await pocket(['--root', repo.root, 'dry-run', 'shop-week', '--users', users, '--seed', 's']);
    expect(text.stdout).toMatch(/^velocity +2$/m);
    expect(text.stdout).toContain(
      'velocity: 2 users (50.0%) refused 403 by protection.velocity.minAccountAgeDays: profile.registeredDays below it or missing',
    );
  });

  it("gives synthetic users an account age, so the repo's city-voucher-drive projects a few refusals, not all", async () => {
    const run = await pocket(
      ['dry-run', 'city-voucher-drive', '--synthetic', '2000', '--seed', 'ci', '--format', 'json'],
      { cwd: REPO_ROOT },
    );
    expect(run.code).toBe(0);
    const report = json<{ users: number; outcomes: Record<string, number> }>(run);
    const refused = report.outcomes['velocity'] ?? 0;
    expect(refused).toBeGreaterThan(100);
    expect(refused).toBeLessThan(300);
    expect(report.outcomes['granted']).toBeGreaterThan(1500);
  });
});
