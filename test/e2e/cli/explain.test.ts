import { copyRepo, FIXTURE_ROOT, json, pocket, REPO_ROOT, type PocketRun } from './run-pocket';

interface ExplainJson {
  campaign: string;
  at: string;
  outcome: string;
  segment: string | null;
  reward: string | null;
  rewards: string[];
  segments: Array<{
    segment: string;
    rule: string | null;
    matched: boolean;
    conditions: Array<Record<string, unknown>>;
  }>;
  candidates: Array<Record<string, unknown>>;
}

const explain = (...args: string[]): Promise<PocketRun> =>
  pocket(['--root', FIXTURE_ROOT, 'explain', 'shop-week', ...args]);

const APP = ['--context', '{"channel":"app"}'];
const VIP = ['--profile', '{"registeredDays":30,"tags":["vip"]}', ...APP];

describe('pocket explain --format json', () => {
  it('gives the matched segment, the reward and every condition result', async () => {
    const run = await explain('--profile', '{"registeredDays":2}', ...APP, '--format', 'json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const result = json<ExplainJson>(run);
    expect(result).toMatchObject({
      campaign: 'shop-week',
      at: '2026-11-21T04:00:00.000Z',
      outcome: 'granted',
      segment: 'newcomers',
      reward: 'coupon-5',
      rewards: ['coupon-5'],
    });
    expect(result.segments).toEqual([
      {
        segment: 'newcomers',
        rule: 'newcomer',
        matched: true,
        conditions: [
          {
            rule: 'newcomer',
            path: 'all[0]',
            fact: 'profile',
            factPath: 'registeredDays',
            operator: 'lessThan',
            value: 7,
            factValue: 2,
            result: true,
          },
        ],
      },
      {
        segment: 'vips',
        rule: 'vip',
        matched: false,
        conditions: [
          {
            rule: 'vip',
            path: 'all[0]',
            fact: 'profile',
            factPath: 'tags',
            operator: 'contains',
            value: 'vip',
            result: false,
          },
        ],
      },
    ]);
  });

  it('gives reward null and every possible reward when a weighted draw decides', async () => {
    const result = json<ExplainJson>(await explain(...VIP, '--format', 'json'));
    expect(result.segment).toBe('vips');
    expect(result.reward).toBeNull();
    expect(result.rewards).toEqual(['rp', 'thanks']);
    expect(result.candidates.map((c) => [c.rewardId, c.weight, c.available])).toEqual([
      ['rp', 70, true],
      ['thanks', 30, true],
    ]);
  });

  it('gives segment null when no segment matches', async () => {
    const run = await explain('--profile', '{"registeredDays":400}', ...APP, '--format', 'json');
    expect(json<ExplainJson>(run)).toMatchObject({
      outcome: 'not_eligible',
      segment: null,
      reward: null,
      rewards: [],
    });
  });

  it('gives no reward to a user over the limit, though the segment matches', async () => {
    const run = await explain(
      '--profile',
      '{"registeredDays":2}',
      ...APP,
      '--history',
      '{"grants":2,"grantsToday":0}',
      '--format',
      'json',
    );
    expect(json<ExplainJson>(run)).toMatchObject({
      outcome: 'limit_reached',
      segment: 'newcomers',
      reward: null,
      rewards: [],
    });
  });

  it('gives segment null when the channel is refused before segments are matched, with every condition still shown', async () => {
    for (const context of [[], ['--context', '{"channel":"web"}']]) {
      const run = await explain('--profile', '{"registeredDays":2}', ...context, '--format', 'json');
      expect(run.code).toBe(0);
      const result = json<ExplainJson>(run);
      expect(result).toMatchObject({
        outcome: 'channel_not_allowed',
        segment: null,
        reward: null,
        rewards: [],
      });
      expect(result.segments.map((s) => [s.segment, s.matched])).toEqual([
        ['newcomers', true],
        ['vips', false],
      ]);
    }
  });

  it('agrees with `pocket test` on the same user (the audit case: new-user-coupon-pack without a channel)', async () => {
    const profile = { gender: 'male', age: 22, registeredDays: 3 };
    const explained = json<ExplainJson>(
      await pocket([
        'explain',
        'new-user-coupon-pack',
        '--profile',
        JSON.stringify(profile),
        '--format',
        'json',
      ]),
    );
    const repo = copyRepo(REPO_ROOT);
    try {
      const file = 'campaigns/new-user-coupon-pack.test.yaml';
      repo.write(
        file,
        `${repo.read(file)}\n  - name: no channel\n    profile: ${JSON.stringify(profile)}\n    expect: { segment: new-users }\n`,
      );
      const run = await pocket(['test', 'new-user-coupon-pack', '--root', repo.root, '--format', 'json']);
      const tested = json<{ files: Array<{ results: Array<{ actual: Record<string, unknown> }> }> }>(run);
      const actual = tested.files[0]?.results.at(-1)?.actual;
      expect(explained).toMatchObject({ outcome: 'channel_not_allowed', segment: null });
      expect(actual).toMatchObject({ outcome: explained.outcome, segment: explained.segment, rewards: [] });
    } finally {
      repo.remove();
    }
  });

  it('honours --at', async () => {
    const run = await explain(
      '--profile',
      '{"registeredDays":2}',
      ...APP,
      '--at',
      '2026-11-23T00:00:00+08:00',
      '--format',
      'json',
    );
    expect(json<ExplainJson>(run)).toMatchObject({
      at: '2026-11-22T16:00:00.000Z',
      outcome: 'ended',
      reward: null,
    });
  });

  it('picks the efficiency winner as the one reward on a repository campaign', async () => {
    const run = await pocket([
      'explain',
      'city-voucher-drive',
      '--profile',
      // The drive refuses accounts younger than 3 days (minAccountAgeDays), as the service does.
      '{"gender":"female","age":26,"city":"sh","registeredDays":120}',
      ...APP,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    expect(json<ExplainJson>(run)).toMatchObject({
      segment: 'young-women',
      reward: 'beauty-voucher-30',
      rewards: ['beauty-voucher-30'],
    });
  });
});

describe('pocket explain (text)', () => {
  it('prints every condition and the decision on stdout', async () => {
    const run = await explain(...VIP);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'shop-week at 2026-11-21T12:00:00+08:00',
        'segment newcomers (rule newcomer): no match',
        '  false all[0]: profile.registeredDays lessThan 7 (got 30)',
        'segment vips (rule vip): MATCH',
        '  true  all[0]: profile.tags contains "vip" (got ["vip"])',
        'outcome: granted',
        'segment: vips',
        'reward: one of rp, thanks',
        '',
      ].join('\n'),
    });
  });

  it('says why the segment is none when the channel is refused before segments are matched', async () => {
    const run = await explain('--profile', '{"registeredDays":2}');
    expect(run.stdout).toBe(
      [
        'shop-week at 2026-11-21T12:00:00+08:00',
        'segment newcomers (rule newcomer): MATCH',
        '  true  all[0]: profile.registeredDays lessThan 7 (got 2)',
        'segment vips (rule vip): no match',
        '  false all[0]: profile.tags contains "vip" (got missing)',
        // Which setting refused it: the outcome alone left the operator to guess.
        'channel: refused: context.channel is missing (entry.channels: app); give one, e.g. {"channel":"app"}',
        'outcome: channel_not_allowed',
        'segment: none (channel_not_allowed is decided before segments; the conditions alone match newcomers)',
        'reward: none',
        '',
      ].join('\n'),
    );
  });

  it('hints that a quoted number is text when the condition would hold for the number', async () => {
    const run = await explain('--profile', '{"registeredDays":"2"}', ...APP);
    // The hint goes under the condition it explains; the rest of the output is as without it.
    expect(run.stdout.split('\n').slice(1, 5)).toEqual([
      'segment newcomers (rule newcomer): no match',
      '  false all[0]: profile.registeredDays lessThan 7 (got "2")',
      '        hint: "2" is text, not a number: as the number 2 this condition would be true (send numbers unquoted)',
      'segment vips (rule vip): no match',
    ]);
    const json = await explain('--profile', '{"registeredDays":"2"}', ...APP, '--format', 'json');
    expect(json.stdout).not.toContain('hint');
  });

  it('says "missing" for a fact the profile lacks, and "none" when nothing is given', async () => {
    const run = await explain('--profile', '{}', ...APP);
    expect(run.stdout).toBe(
      [
        'shop-week at 2026-11-21T12:00:00+08:00',
        'segment newcomers (rule newcomer): no match',
        '  false all[0]: profile.registeredDays lessThan 7 (got missing)',
        'segment vips (rule vip): no match',
        '  false all[0]: profile.tags contains "vip" (got missing)',
        'outcome: not_eligible',
        'segment: none',
        'reward: none',
        '',
      ].join('\n'),
    );
  });
});

describe('pocket explain: bad options', () => {
  it('exits 2 with a message for bad --profile, --context, --history, --at and --format, and without --profile', async () => {
    const cases: Array<[string[], string | RegExp]> = [
      [['--profile', '{bad'], /^pocket: --profile is not valid JSON: .+\n$/],
      [['--profile', '[1]'], 'pocket: --profile must be a JSON object\n'],
      // As the HTTP API refuses a body that repeats a key (JSON.parse keeps the last, other parsers the first).
      [['--profile', '{"age":22,"age":23}'], 'pocket: --profile holds the key "age" more than once\n'],
      [['--profile', '{}', '--context', '"app"'], 'pocket: --context must be a JSON object\n'],
      [
        ['--profile', '{}', '--context', '{"chanel":"app"}'],
        'pocket: --context: unknown field "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip\n',
      ],
      [
        ['--profile', '{}', '--context', '{"channel":5}'],
        'pocket: --context: "channel" must be a string (got 5)\n',
      ],
      [
        ['--profile', '{}', '--at', 'yesterday'],
        'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "yesterday")\n',
      ],
      [
        ['--profile', '{}', '--at', '2026-11-21T12:00:00'],
        'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "2026-11-21T12:00:00")\n',
      ],
      // A date that does not exist, in the YAML's words rather than the format hint.
      [
        ['--profile', '{}', '--at', '2026-13-05T00:00:00+08:00'],
        'pocket: --at is not a real date/time: there is no month 13 (months run 01-12) (got "2026-13-05T00:00:00+08:00")\n',
      ],
      [
        ['--profile', '{}', '--at', '2026-11-21'],
        'pocket: --at must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "2026-11-21")\n',
      ],
      [['--profile', '{}', '--format', 'xml'], 'pocket: --format must be one of text, json (got "xml")\n'],
      [
        ['--profile', '{}', '--history', '{"grant":1}'],
        'pocket: --history: unknown field "grant" (did you mean "grants"?); allowed: participations, grants, grantsToday, rewards\n',
      ],
      [
        ['--profile', '{}', '--history', '{"grants":"1"}'],
        'pocket: --history: "grants" must be a whole number, 0 or more (got "1"); write numbers without quotes\n',
      ],
      [
        ['--profile', '{}', '--history', '{"rewards":{"rpp":1}}'],
        'pocket: --history: in "rewards": reward "rpp" is not a reward of campaign "shop-week" (did you mean "rp"?)\n',
      ],
      [
        ['--profile', '{}', '--history', '{"participations":1,"grants":3}'],
        'pocket: --history: participations (1) is below grants (3): every grant comes from a participation\n',
      ],
      [[], /^error: required option '--profile <json>' not specified\n/],
    ];
    const runs = await Promise.all(cases.map(([args]) => explain(...args)));
    runs.forEach((run, i) => {
      const expected = cases[i]?.[1];
      expect({ args: cases[i]?.[0], code: run.code, stdout: run.stdout }).toEqual({
        args: cases[i]?.[0],
        code: 2,
        stdout: '',
      });
      if (typeof expected === 'string') expect(run.stderr).toBe(expected);
      else expect(run.stderr).toMatch(expected as RegExp);
    });
  });
});
