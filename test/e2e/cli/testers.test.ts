/** `pocket testers list|generate|add` as a real process against a copy of the repository's definitions. */
import { parse } from 'yaml';
import { copyRepo, json, pocket, REPO_ROOT, type RepoCopy } from './run-pocket';

interface Listed {
  testers: Array<{ userId: string; segment: string | null; profile: Record<string, unknown> }>;
}

describe('pocket testers', () => {
  let repo: RepoCopy;
  beforeEach(() => {
    repo = copyRepo(REPO_ROOT);
  });
  afterEach(() => repo.remove());

  /** `explain --format json` for a profile sent from the app (both campaigns take only that channel). */
  async function explainInApp(campaign: string, profile: Record<string, unknown>) {
    const run = await pocket([
      '--root',
      repo.root,
      'explain',
      campaign,
      '--profile',
      JSON.stringify(profile),
      // The campaign restricts channels: without one, the participation stops before segments are matched.
      '--context',
      '{"channel":"app"}',
      '--format',
      'json',
    ]);
    return json<{ segment: string | null; fraud: { accountAge?: { result: string } } }>(run);
  }

  it('lists the testers with the segment each lands in', async () => {
    const run = await pocket([
      '--root',
      repo.root,
      'testers',
      'list',
      'city-voucher-drive',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    expect(json<Listed>(run).testers.map((t) => [t.userId, t.segment])).toEqual([
      ['qa-carol', 'young-women'],
      ['qa-dave', 'young-men'],
      ['qa-erin', 'families'],
    ]);
    const text = await pocket(['--root', repo.root, 'testers', 'list', 'city-voucher-drive']);
    expect(text.stdout).toMatch(/qa-erin\s+families\s+\{ age: 38/);
  });

  it('generate prints entries that land in the segment, the same for the same seed', async () => {
    const args = [
      '--root',
      repo.root,
      'testers',
      'generate',
      'new-user-coupon-pack',
      '--segment',
      'new-users',
      '--count',
      '4',
      '--seed',
      '7',
    ];
    const first = await pocket(args);
    const again = await pocket(args);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(again.stdout).toBe(first.stdout);
    const entries = parse(first.stdout) as Array<{ userId: string; profile: Record<string, unknown> }>;
    expect(entries.map((e) => e.userId)).toEqual([
      'qa-new-users-1',
      'qa-new-users-2',
      'qa-new-users-3',
      'qa-new-users-4',
    ]);
    for (const e of entries) {
      const explained = await explainInApp('new-user-coupon-pack', e.profile);
      expect([e.userId, explained.segment]).toEqual([e.userId, 'new-users']);
    }
  });

  it('generate under minAccountAgeDays gives every profile an account age the service accepts', async () => {
    // city-voucher-drive has protection.velocity.minAccountAgeDays 3 and no rule reading registeredDays.
    for (const segment of ['families', 'everyone']) {
      const run = await pocket([
        '--root',
        repo.root,
        'testers',
        'generate',
        'city-voucher-drive',
        '--segment',
        segment,
        '--count',
        '3',
        '--seed',
        '1',
      ]);
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain(
        '# each profile was checked: its first matching segment is this one, and it passes minAccountAgeDays 3.',
      );
      const entries = parse(run.stdout) as Array<{ userId: string; profile: Record<string, unknown> }>;
      expect(entries).toHaveLength(3);
      for (const e of entries) {
        const explained = await explainInApp('city-voucher-drive', e.profile);
        expect([e.userId, explained.fraud.accountAge?.result, explained.segment]).toEqual([
          e.userId,
          'pass',
          segment,
        ]);
      }
    }
  });

  it('add writes the testers into the YAML file, keeping the rest of it, and they validate and land', async () => {
    const file = 'campaigns/city-voucher-drive.yaml';
    const before = repo.read(file);
    const run = await pocket([
      '--root',
      repo.root,
      'testers',
      'add',
      'city-voucher-drive',
      '--segment',
      'families',
      '--count',
      '2',
      '--seed',
      '3',
    ]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/added 2 testers to .*city-voucher-drive\.yaml/);
    const after = repo.read(file);
    const insertedAt = before.indexOf('observability:');
    expect(after.slice(0, insertedAt)).toBe(before.slice(0, insertedAt));
    expect(after.endsWith(before.slice(insertedAt))).toBe(true);
    expect((await pocket(['--root', repo.root, 'validate'])).code).toBe(0);
    const listed = json<Listed>(
      await pocket(['--root', repo.root, 'testers', 'list', 'city-voucher-drive', '--format', 'json']),
    );
    expect(listed.testers.slice(3).map((t) => [t.userId, t.segment])).toEqual([
      ['qa-families-1', 'families'],
      ['qa-families-2', 'families'],
    ]);
  });

  it('fails clearly: an unknown campaign or segment, an unreachable segment, a bad count; the file untouched', async () => {
    const file = 'campaigns/double11-red-packet-rain.yaml';
    const before = repo.read(file);
    const testers = (verb: 'add' | 'generate', segment: string, ...more: string[]) =>
      pocket([
        '--root',
        repo.root,
        'testers',
        verb,
        'double11-red-packet-rain',
        '--segment',
        segment,
        ...more,
      ]);
    const unknown = await testers('add', 'vips');
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'pocket: campaign "double11-red-packet-rain" has no segment "vips" (segments: new-users, everyone)\n',
    ]);
    const [noCampaign, unknownJson] = await Promise.all([
      pocket(['--root', repo.root, 'testers', 'list', 'nope', '--format', 'json']),
      testers('generate', 'vips', '--format', 'json'),
    ]);
    expect([noCampaign.code, noCampaign.stderr]).toEqual([
      1,
      expect.stringContaining('unknown campaign "nope"'),
    ]);
    // Codes a script can act on, as dry-run's and explain's: not the catch-all `failed`.
    expect(json<{ error: unknown }>(noCampaign).error).toMatchObject({
      code: 'unknown_campaign',
      campaigns: ['nope'],
      known: expect.arrayContaining(['double11-red-packet-rain']) as unknown,
    });
    expect([unknownJson.code, json<{ error: unknown }>(unknownJson).error]).toEqual([
      1,
      {
        code: 'unknown_segment',
        message: 'campaign "double11-red-packet-rain" has no segment "vips" (segments: new-users, everyone)',
        segment: 'vips',
        known: ['new-users', 'everyone'],
      },
    ]);
    const badCount = await testers('generate', 'everyone', '--count', '0');
    expect([badCount.code, badCount.stderr]).toEqual([
      2,
      'pocket: --count must be an integer from 1 to 1000 (got "0")\n',
    ]);
    // A segment only a returning user reaches: a new tester has no history.
    repo.write(
      'rules/loyal.yaml',
      'rules:\n  - id: loyal\n    conditions: { all: [{ fact: history, path: grants, operator: greaterThan, value: 0 }] }\n',
    );
    repo.replace(
      file,
      '  - id: everyone\n',
      '  - id: loyal\n    when: loyal\n    rewards: [{ reward: thanks, weight: 1 }]\n  - id: everyone\n',
    );
    const hidden = repo.read(file);
    const unreachable = await testers('add', 'loyal');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/no synthetic profile reached segment "loyal" .*candidates landed in/);
    const unreachableJson = await testers('generate', 'loyal', '--format', 'json');
    expect(json<{ error: { code: string } }>(unreachableJson).error.code).toBe('segment_unreachable');
    expect(repo.read(file)).toBe(hidden);
    expect(hidden).not.toBe(before);
  });
});
