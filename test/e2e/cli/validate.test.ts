import { copyRepo, FIXTURE_ROOT, json, pocket, REPO_ROOT, type RepoCopy } from './run-pocket';

interface ValidateJson {
  ok: boolean;
  campaigns: number;
  rules: number;
  cases: number;
  errors: Array<Record<string, unknown>>;
  warnings: Array<Record<string, unknown>>;
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

    it('gives the same fields with --format json on stdout', async () => {
      const run = await pocket(['validate', '--root', repo.root, '--format', 'json'], { cwd: repo.root });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      const report = json<ValidateJson>(run);
      expect(report.ok).toBe(false);
      expect(report.errors).toEqual([
        { file, ...where, path: broken.path, message: broken.message, severity: 'error' },
      ]);
    });

    it('names the file relative to the current directory', async () => {
      const run = await pocket(['validate', '--root', repo.root, '--format', 'json']);
      const shown = json<ValidateJson>(run).errors.map((e) => e.file);
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

  it('refuses an unknown --format with exit 2', async () => {
    const run = await pocket(['validate', '--format', 'yaml']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pocket: --format must be one of text, json (got "yaml")\n',
    });
  });
});
