import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepo, FIXTURE_ROOT, pocket, REPO_ROOT, withClosedOutput, withClosedStdout } from './run-pocket';

describe('pocket usage', () => {
  it('prints help on stdout and exits 0 with --help', async () => {
    const run = await pocket(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: pocket \[options\] \[command\]\n/);
    for (const verb of ['validate', 'test', 'dry-run', 'explain'])
      expect(run.stdout).toContain(`\n  ${verb} `);
  });

  it("names every key of a dry-run users line in dry-run's help, history included, as the README does", async () => {
    const run = await pocket(['dry-run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(
      '--users <file> JSON Lines of { userId, profile, context, history } (all but userId optional)',
    );
  });

  it('exits 2 with the usage on stderr without a command or with an unknown one', async () => {
    const [none, unknown] = await Promise.all([pocket([]), pocket(['frobnicate'])]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: pocket \[options\] \[command\]\n/);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'\n/);
  });

  it('prints the version of package.json with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const run = await pocket(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 0 quietly when the reader of its output goes away (pocket … | head)', async () => {
    const run = await withClosedStdout([
      'dry-run',
      'shop-week',
      '--root',
      FIXTURE_ROOT,
      '--synthetic',
      '200',
      '--seed',
      'ci',
      '--format',
      'json',
    ]);
    expect(run).toEqual({ code: 0, stderr: '' });
  });

  // `pocket reconcile 2>&1 | head` killed the run at its first log line once head had gone (an EPIPE on stderr
  // nobody handled, exit 1): the run stayed `running` and the rest of its discrepancies went unrecorded.
  it('finishes its work with its own exit code when the reader of stderr goes away', async () => {
    const repo = copyRepo(FIXTURE_ROOT);
    try {
      // A reward with stock 0 can never be granted: a warning on stderr, and validate still succeeds.
      repo.replace('campaigns/shop-week.yaml', 'cost: 200, stock: 3 }', 'cost: 200, stock: 0 }');
      const run = await withClosedOutput('stderr', ['--root', repo.root, 'validate']);
      expect(run).toEqual({ code: 0, output: expect.stringMatching(/^ok: .*1 warning/) });
    } finally {
      repo.remove();
    }
  });
});
