import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepo, FIXTURE_ROOT, json, pocket, REPO_ROOT, type RepoCopy } from './run-pocket';

interface ValidateJson {
  ok: boolean;
  campaigns: number;
  rules: number;
  cases: number;
  errors: Array<Record<string, unknown>>;
  warnings: Array<Record<string, unknown>>;
}

/** A failure under --format json: the one `{"error":{…}}` object every verb prints (README "CLI"). */
interface ValidateFailureJson {
  error: {
    code: string;
    message: string;
    errors: Array<Record<string, unknown>>;
    warnings: Array<Record<string, unknown>>;
    campaigns: number;
    rules: number;
    cases: number;
  };
}

describe('pocket validate', () => {
  it("exits 0 on the repository's definitions, with only warnings on stderr", async () => {
    const run = await pocket(['validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: 3 campaigns, \d+ rules, 3 case files: 0 errors, \d+ warnings?\n$/);
    for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toContain(': warning: ');
  });

  it('prints the summary on stdout and nothing on stderr for a clean repository', async () => {
    const run = await pocket(['validate', '--root', FIXTURE_ROOT]);
    expect(run).toEqual({
      code: 0,
      stdout: 'ok: 1 campaign, 2 rules, 1 case file: 0 errors, 0 warnings\n',
      stderr: '',
    });
  });

  it("gives the same answer as JSON on the repository's definitions", async () => {
    const run = await pocket(['validate', '--format', 'json']);
    expect(run.code).toBe(0);
    const report = json<ValidateJson>(run);
    expect(report).toMatchObject({ ok: true, campaigns: 3, cases: 3, errors: [] });
    // Warnings in the shape a failure lists them in (it had `severity` on success only).
    expect(report.warnings.length).toBeGreaterThan(0);
    for (const w of report.warnings)
      expect(Object.keys(w)).toEqual(['file', 'line', 'col', 'path', 'message']);
  });

  const file = 'campaigns/double11-red-packet-rain.yaml';
  const breaks = [
    {
      kind: 'a schema error',
      from: 'reward: rp-big, weight: 30',
      to: 'reward: rp-big, weight: 0',
      valueAt: 'reward: rp-big, weight: '.length,
      path: 'segments[0].rewards[0].weight',
      message: 'must be greater than 0 (got 0)',
    },
    {
      kind: 'a cross-file error',
      from: 'when: new-user\n',
      to: 'when: new-usr\n',
      valueAt: 'when: '.length,
      path: 'segments[0].when',
      message: 'rule "new-usr" is not defined in rules/ (did you mean "new-user"?)',
    },
  ];

  describe.each(breaks)('on a copy with $kind', (broken) => {
    let repo: RepoCopy;
    let where: { line: number; col: number };

    beforeAll(() => {
      repo = copyRepo(REPO_ROOT);
      const at = repo.replace(file, broken.from, broken.to);
      where = { line: at.line, col: at.col + broken.valueAt };
    });
    afterAll(() => repo.remove());

    const line = () => `${file}:${where.line}:${where.col}: ${broken.path}: ${broken.message}`;

    it('exits 1 and prints the error as file:line:col on stderr, nothing on stdout', async () => {
      const run = await pocket(['validate', '--root', repo.root], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => !l.includes(': warning: '))).toEqual([
        line(),
        expect.stringMatching(
          /^invalid: 1 error, \d+ warnings? \(valid: 2 campaigns, \d+ rules, 3 case files\)$/,
        ),
      ]);
    });

    it('prints the documented {"error":{…}} object on stdout with --format json, the errors on stderr', async () => {
      const run = await pocket(['validate', '--root', repo.root, '--format', 'json'], { cwd: repo.root });
      expect(run.code).toBe(1);
      const report = json<ValidateFailureJson>(run);
      expect(Object.keys(report)).toEqual(['error']);
      expect(report.error).toMatchObject({
        code: 'definitions_invalid',
        message: expect.stringMatching(/^definitions are invalid: 1 error, \d+ warnings?$/),
        errors: [{ file, ...where, path: broken.path, message: broken.message }],
        // The broken campaign is not counted, whether its error is its own or another file's (a rule).
        campaigns: 2,
        cases: 3,
      });
      expect(report.error.warnings.length).toBeGreaterThan(0);
      for (const w of report.error.warnings)
        expect(Object.keys(w)).toEqual(['file', 'line', 'col', 'path', 'message']);
      const lines = run.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => !l.includes(': warning: '))).toEqual([
        line(),
        expect.stringMatching(
          /^invalid: 1 error, \d+ warnings? \(valid: 2 campaigns, \d+ rules, 3 case files\)$/,
        ),
      ]);
    });

    it('prints the very object publish prints for the same definitions', async () => {
      const validated = json<ValidateFailureJson>(
        await pocket(['validate', '--root', repo.root, '--format', 'json'], { cwd: repo.root }),
      );
      const published = json<ValidateFailureJson>(
        await pocket(['publish', '--root', repo.root, '--format', 'json'], {
          cwd: repo.root,
          env: { POCKET_DATA_DIR: repo.root, DATABASE_URL: undefined, REDIS_URL: undefined },
        }),
      );
      // The same object: publish gave a bare message and the errors only, no warnings or counts.
      expect(published.error).toEqual(validated.error);
    });

    it('names the file relative to the current directory', async () => {
      const run = await pocket(['validate', '--root', repo.root, '--format', 'json']);
      const shown = json<ValidateFailureJson>(run).error.errors.map((e) => e.file);
      expect(shown).toEqual([expect.stringMatching(/^\.\.\/.*\/campaigns\/double11-red-packet-rain\.yaml$/)]);
    });

    it('stops dry-run with exit 1 and the same error', async () => {
      const run = await pocket(['dry-run', 'double11-red-packet-rain', '--synthetic', '10'], {
        cwd: repo.root,
      });
      expect([run.code, run.stdout]).toEqual([1, '']);
      // This repository's definitions hold a warning: counted on the first line, shown by validate.
      expect(run.stderr).toMatch(
        /^pocket: definitions are invalid: 1 error \(`pocket validate` also shows \d+ warnings?\):\n/,
      );
      expect(run.stderr.split('\n').slice(1)).toEqual([line(), '']);
    });
  });

  describe('on a copy with files it does not read', () => {
    let repo: RepoCopy;
    beforeAll(() => {
      repo = copyRepo(REPO_ROOT);
      mkdirSync(join(repo.root, 'campaigns/2026'));
      repo.write('campaigns/2026/spring.yaml', repo.read('campaigns/city-voucher-drive.yaml'));
      repo.write('campaigns/notes.json', '{}\n');
      repo.write('campaigns/spring.yaml.bak', repo.read('campaigns/city-voucher-drive.yaml'));
      repo.write('campaigns/README.md', '# Campaigns\n');
      repo.write('rules/.gitkeep', '');
    });
    afterAll(() => repo.remove());

    const CAMPAIGNS_ONLY =
      'not a definitions file: campaigns/ holds <id>.yaml and <id>.test.yaml files only; move it out of campaigns/';

    it('names each one as an error and exits 1, skipping a README and hidden names', async () => {
      const run = await pocket(['validate', '--root', repo.root], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n').filter((l) => l !== '' && !l.includes(': warning: '))).toEqual([
        'campaigns/2026:1:1: (root): subdirectories are not read; move its files up into campaigns/',
        `campaigns/notes.json:1:1: (root): ${CAMPAIGNS_ONLY}`,
        `campaigns/spring.yaml.bak:1:1: (root): ${CAMPAIGNS_ONLY}`,
        expect.stringMatching(
          /^invalid: 3 errors, \d+ warnings? \(valid: 3 campaigns, \d+ rules, 3 case files\)$/,
        ),
      ]);
    });

    it('lists them in the JSON error', async () => {
      const run = await pocket(['validate', '--root', repo.root, '--format', 'json'], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(json<ValidateFailureJson>(run).error.errors.map((e) => e.file)).toEqual([
        'campaigns/2026',
        'campaigns/notes.json',
        'campaigns/spring.yaml.bak',
      ]);
    });

    it('stops the verbs that load the definitions too', async () => {
      const run = await pocket(['test', '--root', repo.root], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`campaigns/notes.json:1:1: (root): ${CAMPAIGNS_ONLY}`);
    });
  });

  // An audit's slips on a copy of new-user-coupon-pack: each message says what to type, not "check the indentation".
  const coupon = 'campaigns/new-user-coupon-pack.yaml';
  const slips = [
    {
      kind: 'a key without its colon',
      from: 'owner: growth-team',
      to: 'owner growth-team',
      error: '5:1: (root): invalid YAML: missing ": " after the key "owner": write owner: growth-team',
    },
    {
      kind: 'a key without the space after its colon',
      from: 'owner: growth-team',
      to: 'owner:growth-team',
      error: '5:1: (root): invalid YAML: missing ": " after the key "owner": write owner: growth-team',
    },
    {
      kind: 'a value holding ": "',
      from: 'name: New user coupon pack',
      to: 'name: Sale: 50% off',
      error: '4:7: name: invalid YAML: a value holding ": " must be quoted: name: "Sale: 50% off"',
    },
    {
      kind: 'a zero-width space after a value',
      from: 'status: active',
      to: 'status: active\u200b',
      error:
        '6:9: status: must be one of: draft, active, ended (got "active\\u200b"; did you mean "active"?); it holds U+200B ZERO WIDTH SPACE at column 15',
    },
    {
      kind: 'a Cyrillic letter in a rule id',
      from: 'when: new-user\n',
      to: 'when: new-us\u0435r\n',
      error:
        '50:11: segments[1].when: must be kebab-case: lowercase letters and digits in words joined by single hyphens (got "new-us\u0435r"); it holds U+0435 CYRILLIC SMALL LETTER IE (looks like "e") at column 17',
    },
    {
      kind: 'a non-breaking space in the indentation',
      from: '  - id: new-users',
      to: '\u00a0 - id: new-users',
      error:
        '49:9: ["\\u00a0 - id"]: invalid YAML: Nested mappings are not allowed in compact mappings; line 49 has a non-breaking space (U+00A0) in its indentation: use plain spaces',
    },
    {
      kind: 'a merge key',
      from: 'limits: { perUser: { total: 1, daily: 1 } }',
      to: 'limits:\n  <<: *b',
      anchor: true,
      error: '11:3: limits["<<"]: YAML merge keys ("<<") are not supported: write the keys out in this map',
    },
    {
      kind: 'a number past 2^53',
      from: 'stock: 20000,',
      to: 'stock: 9007199254740993,',
      error: '21:14: rewards[0].stock: must be at most 2147483647 (got 9007199254740993)',
    },
    {
      kind: 'a number past float precision',
      from: 'stock: 20000,',
      to: 'stock: 99999999999999999999999,',
      error: '21:14: rewards[0].stock: must be at most 2147483647 (got 99999999999999999999999)',
    },
  ];

  it.each(slips)('says what to change for $kind', async (slip) => {
    const repo = copyRepo(REPO_ROOT);
    try {
      repo.replace(coupon, slip.from, slip.to);
      if (slip.anchor) repo.replace(coupon, 'owner: growth-team', 'owner: &b growth-team');
      const run = await pocket(['validate', '--root', repo.root], { cwd: repo.root });
      expect(run.code).toBe(1);
      const errors = run.stderr.split('\n').filter((l) => l.startsWith(coupon) && !l.includes(': warning: '));
      expect(errors).toEqual([`${coupon}:${slip.error}`]);
    } finally {
      repo.remove();
    }
  });

  it('refuses an unknown --format with exit 2', async () => {
    const run = await pocket(['validate', '--format', 'yaml']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pocket: --format must be one of text, json (got "yaml")\n',
    });
  });
});
