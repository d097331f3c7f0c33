import { pocket } from './run-pocket';

describe('pocket usage', () => {
  it('prints help on stdout and exits 0 with --help', async () => {
    const run = await pocket(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: pocket \[options\] \[command\]\n/);
    for (const verb of ['validate', 'test', 'dry-run', 'explain'])
      expect(run.stdout).toContain(`\n  ${verb} `);
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
});
