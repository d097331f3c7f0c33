import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepo, FIXTURE_ROOT, json, pocket, type RepoCopy } from './run-pocket';

const FAILING_CASE = `
  - name: a vip is sure to get a red packet
    profile: { registeredDays: 30, tags: [vip] }
    context: { channel: app }
    expect: { segment: newcomers, reward: rp }
`;

const TESTER = `testers:
  - { userId: qa-early, profile: { registeredDays: 2 } }
`;

const EARLY_CASES = `
  - name: a tester tries the campaign the day before it starts
    userId: qa-early
    context: { channel: app }
    at: 2026-11-19T12:00:00+08:00
    expect: { outcome: granted, segment: newcomers, reward: coupon-5 }
  - name: anyone else is told it has not started
    profile: { registeredDays: 2 }
    context: { channel: app }
    at: 2026-11-19T12:00:00+08:00
    expect: { outcome: not_started }
  - name: a tester is refused once it has ended
    userId: qa-early
    context: { channel: app }
    at: 2026-11-23T00:00:00+08:00
    expect: { outcome: ended }
`;

const NO_CHANNEL_CASE = `
  - name: a newcomer without a channel
    profile: { registeredDays: 2 }
    expect: { segment: newcomers }
`;

interface TestJson {
  passed: number;
  failed: number;
  untested: string[];
  files: Array<{
    campaign: string;
    file: string;
    results: Array<{ name: string; passed: boolean; failures: string[]; actual: Record<string, unknown> }>;
  }>;
}

describe('pocket test', () => {
  it("exits 0 when every case of the repository's campaigns passes", async () => {
    const run = await pocket(['test']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('campaigns/double11-red-packet-rain.test.yaml\n');
    expect(run.stdout).not.toContain('FAIL');
    expect(run.stdout).toMatch(/\n3 files, (\d+) cases: \1 passed, 0 failed\n$/);
  });

  it('prints every case of the files it runs', async () => {
    const run = await pocket(['test', '--root', FIXTURE_ROOT], { cwd: FIXTURE_ROOT });
    expect(run).toEqual({
      code: 0,
      stdout: [
        'campaigns/shop-week.test.yaml',
        '  ok    a newcomer gets the coupon',
        '  ok    a vip gets a red packet or a thank-you',
        '1 file, 2 cases: 2 passed, 0 failed',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('lets a tester in before the window starts, as the service does (QA before launch)', async () => {
    const repo = copyRepo(FIXTURE_ROOT);
    try {
      repo.write('campaigns/shop-week.yaml', repo.read('campaigns/shop-week.yaml') + TESTER);
      const file = 'campaigns/shop-week.test.yaml';
      repo.write(file, repo.read(file) + EARLY_CASES);
      const run = await pocket(['test', 'shop-week', '--root', repo.root], { cwd: repo.root });
      expect(run.stdout).toContain('1 file, 5 cases: 5 passed, 0 failed');
      expect(run.code).toBe(0);
    } finally {
      repo.remove();
    }
  });

  describe('with a failing case', () => {
    let repo: RepoCopy;
    beforeAll(() => {
      repo = copyRepo(FIXTURE_ROOT);
      const file = 'campaigns/shop-week.test.yaml';
      repo.write(file, repo.read(file) + FAILING_CASE);
    });
    afterAll(() => repo.remove());

    it('exits 1 and shows the case, what went wrong and every condition result', async () => {
      const run = await pocket(['test', 'shop-week', '--root', repo.root], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(
        [
          'campaigns/shop-week.test.yaml',
          '  ok    a newcomer gets the coupon',
          '  ok    a vip gets a red packet or a thank-you',
          '  FAIL  a vip is sure to get a red packet (campaigns/shop-week.test.yaml:14:5)',
          '        expected segment newcomers, got vips',
          '        expected reward rp, but the possible rewards are rp, thanks',
          '        at 2026-11-21T12:00:00+08:00; conditions:',
          '          segment newcomers (newcomer): no match',
          '            false  newcomer all[0]: profile.registeredDays lessThan 7 (got 30)',
          '          segment vips (vip): matched',
          '            true   vip all[0]: profile.tags contains "vip" (got ["vip"])',
          '1 file, 3 cases: 2 passed, 1 failed',
          '',
        ].join('\n'),
      );
    });

    it('names the outcome when a case expecting a segment is refused before segments are matched', async () => {
      const channelless = copyRepo(FIXTURE_ROOT);
      try {
        const file = 'campaigns/shop-week.test.yaml';
        channelless.write(file, channelless.read(file) + NO_CHANNEL_CASE);
        const run = await pocket(['test', 'shop-week', '--root', channelless.root], {
          cwd: channelless.root,
        });
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(
          [
            '  FAIL  a newcomer without a channel (campaigns/shop-week.test.yaml:14:5)',
            '        expected segment newcomers, got none (outcome channel_not_allowed, decided before segments are matched)',
            '        channel: refused: context.channel is missing (entry.channels: app); give one, e.g. {"channel":"app"}',
            '        at 2026-11-21T12:00:00+08:00; conditions (not reached: channel_not_allowed is decided first):',
            '          segment newcomers (newcomer): matched',
            '            true   newcomer all[0]: profile.registeredDays lessThan 7 (got 2)',
          ].join('\n'),
        );
        const report = json<TestJson>(
          await pocket(['test', 'shop-week', '--root', channelless.root, '--format', 'json']),
        );
        expect(report.files[0]?.results[2]?.actual).toMatchObject({
          outcome: 'channel_not_allowed',
          segment: null,
        });
      } finally {
        channelless.remove();
      }
    });

    it('gives the same verdict as JSON', async () => {
      const run = await pocket(['test', '--root', repo.root, '--format', 'json'], { cwd: repo.root });
      expect(run.code).toBe(1);
      const report = json<TestJson>(run);
      expect(report.passed).toBe(2);
      expect(report.failed).toBe(1);
      expect(report.untested).toEqual([]);
      expect(report.files.map((f) => [f.campaign, f.file])).toEqual([
        ['shop-week', 'campaigns/shop-week.test.yaml'],
      ]);
      const failed = report.files[0]?.results[2];
      expect(failed).toMatchObject({
        name: 'a vip is sure to get a red packet',
        line: 14,
        col: 5,
        passed: false,
        failures: [
          'expected segment newcomers, got vips',
          'expected reward rp, but the possible rewards are rp, thanks',
        ],
        actual: { outcome: 'granted', segment: 'vips', rewards: ['rp', 'thanks'] },
      });
    });
  });

  describe('without cases', () => {
    let repo: RepoCopy;
    beforeAll(() => {
      repo = copyRepo(FIXTURE_ROOT);
      rmSync(join(repo.root, 'campaigns/shop-week.test.yaml'));
    });
    afterAll(() => repo.remove());

    it('fails when nothing was tested, and warns about the untested campaign', async () => {
      const run = await pocket(['test', '--root', repo.root]);
      expect(run).toEqual({
        code: 1,
        stdout: '0 files, 0 cases: 0 passed, 0 failed\n',
        stderr: 'warning: no cases for shop-week\n',
      });
    });

    it('fails under --format json with the error object, not a report of 0 failed', async () => {
      const run = await pocket(['test', '--root', repo.root, '--format', 'json']);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toEqual({
        error: {
          code: 'no_cases',
          message: 'nothing to test: no cases for shop-week',
          untested: ['shop-week'],
        },
      });
      expect(run.stderr).toBe('pocket: nothing to test: no cases for shop-week\n');
    });

    it('fails when the named campaign has no cases file', async () => {
      const run = await pocket(['test', 'shop-week', '--root', repo.root]);
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: 'pocket: campaign "shop-week" has no campaigns/shop-week.test.yaml\n',
      });
    });
  });

  it('fails on an unknown campaign', async () => {
    const run = await pocket(['test', 'nope', '--root', FIXTURE_ROOT]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'pocket: unknown campaign "nope" (known: shop-week)\n',
    });
  });
});
