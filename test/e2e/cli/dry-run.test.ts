import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, copyRepo, FIXTURE_ROOT, json, pocket, REPO_ROOT, type PocketRun } from './run-pocket';

interface DryRunJson {
  campaign: string;
  users: number;
  segments: Record<string, number>;
  rewards: Record<string, number>;
  unmatched: number;
  unreached: string[];
  spend: number;
  spendByDay: Record<string, number>;
  outcomes: Record<string, number>;
  durationMs: number;
  [key: string]: unknown;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

const line = (userId: string, registeredDays: number, channel = 'app'): string =>
  JSON.stringify({ userId, profile: { registeredDays }, context: { channel } });

/** Seven visits of shop-week at one moment: three take the coupon's whole stock, n1 comes back. */
const USERS = [
  line('n1', 1),
  line('n2', 2),
  line('n3', 3),
  line('n4', 4),
  line('n1', 1),
  line('o1', 400),
  line('w1', 1, 'web'),
];
const AT = ['--at', '2026-11-21T12:00:00+08:00'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pocket-dry-run-'));
  writeFileSync(join(dir, 'users.jsonl'), `${USERS.join('\n')}\n`);
  writeFileSync(join(dir, 'bad.jsonl'), `${USERS[0]}\n\n{"userId":""}\n${USERS[1]}\n`);
  writeFileSync(join(dir, 'typo.jsonl'), `${USERS[0]}\n{"userId":"u1","context":{"chanel":"app"}}\n`);
  writeFileSync(join(dir, 'broken.jsonl'), `${USERS[0]}\n{"userId":"n2","profile":{}, }\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shopWeek = (...args: string[]): Promise<PocketRun> =>
  pocket(['--root', FIXTURE_ROOT, 'dry-run', 'shop-week', ...args], { cwd: dir });

describe('pocket dry-run --synthetic (the repository campaigns)', () => {
  it('prints the DESIGN.md JSON contract on stdout, and no progress bar when stderr is not a terminal', async () => {
    const run = await pocket([
      'dry-run',
      'double11-red-packet-rain',
      '--synthetic',
      '20000',
      '--seed',
      'ci',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = json<DryRunJson>(run);
    expect(report.users).toBe(20000);
    expect(Object.keys(report.segments)).toEqual(['new-users', 'everyone']);
    expect(Object.keys(report.rewards)).toEqual(['rp-big', 'rp-small', 'thanks']);
    for (const n of [...Object.values(report.segments), ...Object.values(report.rewards)]) {
      expect(Number.isInteger(n)).toBe(true);
    }
    expect(report.unmatched).toBe(0);
    expect(report.unreached).toEqual([]);
    expect(Number.isInteger(report.spend)).toBe(true);
    expect(report.spend).toBeGreaterThan(0);
    expect(report.spend).toBe(sum(report.spendByDay));
    // every user is matched to a segment, matches none, or is refused before matching (channel, window)
    const refusedEarly =
      (report.outcomes['channel_not_allowed'] ?? 0) + (report.outcomes['not_started'] ?? 0);
    expect(sum(report.segments) + report.unmatched + refusedEarly).toBe(20000);
    expect(sum(report.outcomes)).toBe(20000);
    expect(sum(report.rewards)).toBe(report.outcomes['granted']);
  });

  it('is reproducible with --seed: the same report apart from durationMs', async () => {
    const args = [
      'dry-run',
      'new-user-coupon-pack',
      '--synthetic',
      '3000',
      '--seed',
      's',
      '--format',
      'json',
    ];
    const [first, second, other] = await Promise.all([
      pocket(args),
      pocket(args),
      pocket([...args.slice(0, -3), 'other', '--format', 'json']),
    ]);
    const a = json<DryRunJson>(first as PocketRun);
    const b = json<DryRunJson>(second as PocketRun);
    const c = json<DryRunJson>(other as PocketRun);
    expect({ ...b, durationMs: 0 }).toEqual({ ...a, durationMs: 0 });
    expect(c.segments).not.toEqual(a.segments);
  });

  it('answers not_started for everyone with --at before the window, and lists every segment as unreached', async () => {
    const run = await pocket([
      'dry-run',
      'city-voucher-drive',
      '--synthetic',
      '200',
      '--at',
      '2026-11-19T10:00:00+08:00',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const report = json<DryRunJson>(run);
    expect(report.outcomes).toEqual({ not_started: 200 });
    expect(report.segments).toEqual({ 'young-women': 0, 'young-men': 0, families: 0, everyone: 0 });
    expect(report.unreached).toEqual(['young-women', 'young-men', 'families', 'everyone']);
    expect(report.unmatched).toBe(0);
    expect(report.spend).toBe(0);
  });
});

describe('pocket dry-run --users', () => {
  it('reads the JSON Lines file and reports exact counts, spend and the stock-out', async () => {
    const run = await shopWeek('--users', 'users.jsonl', ...AT, '--format', 'json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = json<DryRunJson>(run);
    expect({ ...report, durationMs: 0 }).toEqual({
      campaign: 'shop-week',
      at: '2026-11-21T04:00:00.000Z',
      users: 7,
      outcomes: { granted: 4, limit_reached: 1, not_eligible: 1, channel_not_allowed: 1 },
      segments: { newcomers: 5, vips: 0 },
      rewards: { rp: 0, 'coupon-5': 3, thanks: 1 },
      unmatched: 1,
      testers: 0,
      unreached: ['vips'],
      spend: 600,
      spendByDay: { '2026-11-21': 600 },
      budget: { currency: 'CNY', total: 100000, daily: 50000, remaining: 99400, peakDaily: 600 },
      stockouts: { 'coupon-5': { afterUsers: 3, at: '2026-11-21T04:00:00.000Z' } },
      durationMs: 0,
    });
  });

  it("decides a tester's visits on the tester's profile, as the service does, and charges no stock or budget", async () => {
    const repo = copyRepo(FIXTURE_ROOT);
    try {
      const file = 'campaigns/shop-week.yaml';
      repo.write(file, `${repo.read(file)}testers:\n  - { userId: qa-1, profile: { registeredDays: 2 } }\n`);
      // The export's profile for qa-1 (an old account) is not what the service decides on: the tester's is.
      const users = [line('qa-1', 400), line('n1', 1), line('n2', 2), line('n3', 3), line('n4', 4)];
      writeFileSync(join(dir, 'with-tester.jsonl'), `${users.join('\n')}\n`);
      const run = await pocket(
        [
          '--root',
          repo.root,
          'dry-run',
          'shop-week',
          '--users',
          'with-tester.jsonl',
          ...AT,
          '--format',
          'json',
        ],
        { cwd: dir },
      );
      expect(run.code).toBe(0);
      expect(json<DryRunJson>(run)).toMatchObject({
        users: 5,
        testers: 1,
        segments: { newcomers: 5, vips: 0 },
        rewards: { rp: 0, 'coupon-5': 4, thanks: 1 },
        spend: 600,
        stockouts: { 'coupon-5': { afterUsers: 4 } },
      });
      const text = await pocket(
        ['--root', repo.root, 'dry-run', 'shop-week', '--users', 'with-tester.jsonl', ...AT],
        { cwd: dir },
      );
      expect(text.stdout).toContain('testers: 1 visits by the campaign');
    } finally {
      repo.remove();
    }
  });

  it('prints the same figures as tables by default', async () => {
    const run = await shopWeek('--users', 'users.jsonl', ...AT);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [first, ...rest] = run.stdout.split('\n');
    expect(first).toMatch(/^dry-run shop-week: 7 users at 2026-11-21T12:00:00\+08:00 \(\d+ ms\)$/);
    expect(rest).toEqual([
      '',
      'segment    users  share',
      '---------  -----  -----',
      'newcomers  5      71.4%',
      'vips       0      0.0%',
      'unmatched users: 1',
      'unreached segments: vips',
      '',
      'reward    grants  stock out',
      '--------  ------  ----------------------------------------',
      'rp        0       -',
      'coupon-5  3       after 3 users, 2026-11-21T12:00:00+08:00',
      'thanks    1       -',
      '',
      'outcome              users',
      '-------------------  -----',
      'granted              4',
      'limit_reached        1',
      'not_eligible         1',
      'channel_not_allowed  1',
      '',
      'projected spend: 6.00 CNY of total budget 1,000.00 CNY (0.6%)',
      'peak daily spend: 6.00 CNY of daily budget 500.00 CNY (1.2%)',
      '',
    ]);
  });

  it('stops at a bad line with file:line on stderr (and as the JSON error) and exit 1', async () => {
    const run = await shopWeek('--users', 'bad.jsonl', '--format', 'json');
    expect(run).toEqual({
      code: 1,
      stdout: `${JSON.stringify(
        {
          error: { code: 'users_file_invalid', message: 'bad.jsonl:3: "userId" must be a non-empty string' },
        },
        null,
        2,
      )}\n`,
      stderr: 'pocket: bad.jsonl:3: "userId" must be a non-empty string\n',
    });
  });

  it('refuses a context field the participation API does not take, at its line, with exit 1', async () => {
    const run = await shopWeek('--users', 'typo.jsonl');
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'pocket: typo.jsonl:2: context: unknown field "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip\n',
    });
  });
});

describe('pocket dry-run: a users line that is not JSON', () => {
  it('is reported at file:line:col, the column where the JSON goes wrong', async () => {
    const run = await shopWeek('--users', 'broken.jsonl');
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'pocket: broken.jsonl:2:30: not valid JSON (Expected double-quoted property name)\n',
    });
  });
});

describe('pocket dry-run: bad options exit 2 with a message', () => {
  const cases: Array<[string[], string]> = [
    [['--synthetic', 'abc'], 'pocket: --synthetic must be an integer from 1 to 10000000 (got "abc")\n'],
    [['--synthetic', '0'], 'pocket: --synthetic must be an integer from 1 to 10000000 (got "0")\n'],
    [['--synthetic', '2.5'], 'pocket: --synthetic must be an integer from 1 to 10000000 (got "2.5")\n'],
    // Number() would take these; an option's count is plain digits.
    [['--synthetic', '1e3'], 'pocket: --synthetic must be an integer from 1 to 10000000 (got "1e3")\n'],
    [['--synthetic', '0x10'], 'pocket: --synthetic must be an integer from 1 to 10000000 (got "0x10")\n'],
    [
      ['--synthetic', '10', '--at', 'yesterday'],
      'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "yesterday")\n',
    ],
    // Without an offset a time would be read in the machine's zone, and a bare date as UTC midnight.
    [
      ['--synthetic', '10', '--at', '2026-11-05T10:00:00'],
      'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "2026-11-05T10:00:00")\n',
    ],
    [
      ['--synthetic', '10', '--at', '2026-11-05'],
      'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "2026-11-05")\n',
    ],
    [
      ['--synthetic', '10', '--users', 'users.jsonl'],
      'pocket: give exactly one of --users <file> or --synthetic <n>\n',
    ],
    [[], 'pocket: give exactly one of --users <file> or --synthetic <n>\n'],
    [['--users', 'missing.jsonl'], 'pocket: --users: no such file missing.jsonl\n'],
    [['--users', '.'], 'pocket: --users: . is a directory, not a JSON Lines file\n'],
    [['--synthetic', '10', '--format', 'xml'], 'pocket: --format must be one of table, json (got "xml")\n'],
  ];

  it('refuses bad values of --synthetic, --at, --users and --format', async () => {
    const runs = await Promise.all(cases.map(([args]) => shopWeek(...args)));
    expect(runs.map((run, i) => ({ args: cases[i]?.[0], ...run }))).toEqual(
      cases.map(([args, stderr]) => ({ args, code: 2, stdout: '', stderr })),
    );
  }, 90_000);

  it('checks option values before loading definitions', async () => {
    const run = await pocket(['--root', FIXTURE_ROOT, 'dry-run', 'nope', '--synthetic', 'abc']);
    expect(run.code).toBe(2);
  });

  it('exits 2 on an unknown option or a missing argument, with the usage', async () => {
    const [unknown, missing] = await Promise.all([
      shopWeek('--synthetic', '10', '--bogus'),
      pocket(['dry-run']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^error: unknown option '--bogus'\n[\s\S]*Usage: pocket dry-run/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: missing required argument 'campaign'\n/);
  });

  it('exits 1 on an unknown campaign, naming the known ones', async () => {
    const run = await pocket(['--root', FIXTURE_ROOT, 'dry-run', 'nope', '--synthetic', '5']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'pocket: unknown campaign "nope" (known: shop-week)\n',
    });
  });
});

describe('pocket dry-run: progress bar', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const withTty = hasScript ? it : it.skip;

  withTty('shows one on stderr when it is a terminal, and keeps stdout clean', async () => {
    const out = join(dir, 'tty.json');
    const command = [
      process.execPath,
      CLI,
      'dry-run double11-red-packet-rain --synthetic 20000 --seed tty --format json',
      `> ${out}`,
    ].join(' ');
    // util-linux script(1) runs the command on a pseudo-terminal: stderr is a TTY, stdout goes to the file
    const terminal = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(terminal.status).toBe(0);
    expect(terminal.stdout).toContain('/20000');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ users: 20000 });
  });
});
