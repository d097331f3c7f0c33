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
        expect.stringMatching(/^invalid: \d campaigns, \d+ rules, 3 case files: 1 error, \d+ warnings?$/),
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
        cases: 3,
      });
      expect(report.error.warnings.length).toBeGreaterThan(0);
      for (const w of report.error.warnings)
        expect(Object.keys(w)).toEqual(['file', 'line', 'col', 'path', 'message']);
      const lines = run.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => !l.includes(': warning: '))).toEqual([
        line(),
        expect.stringMatching(/^invalid: \d campaigns, \d+ rules, 3 case files: 1 error, \d+ warnings?$/),
      ]);
    });

    it('shapes the error like publish does for the same definitions', async () => {
      const validated = json<ValidateFailureJson>(
        await pocket(['validate', '--root', repo.root, '--format', 'json'], { cwd: repo.root }),
      );
      const published = json<ValidateFailureJson>(
        await pocket(['publish', '--root', repo.root, '--format', 'json'], {
          cwd: repo.root,
          env: { POCKET_DATA_DIR: repo.root, DATABASE_URL: undefined, REDIS_URL: undefined },
        }),
      );
      expect(published.error.code).toBe(validated.error.code);
      expect(published.error.errors).toEqual(validated.error.errors);
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
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: `pocket: definitions are invalid; run \`pocket validate\`:\n${line()}\n`,
      });
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
        expect.stringMatching(/^invalid: 3 campaigns, \d+ rules, 3 case files: 3 errors, \d+ warnings?$/),
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

  it('refuses an unknown --format with exit 2', async () => {
    const run = await pocket(['validate', '--format', 'yaml']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pocket: --format must be one of text, json (got "yaml")\n',
    });
  });
});
