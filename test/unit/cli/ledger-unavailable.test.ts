/**
 * A verb whose ledger stops answering: one line naming the ledger and what to do, exit 1, `dependency_unavailable`
 * under --format json. Before, only the lifecycle verbs mapped it: `pocket reconcile` or `pocket grants void` past
 * a ledger deadline printed `unexpected error:` and a stack trace (code `unexpected`).
 */
import { Command } from 'commander';
import { KnexTimeoutError } from 'knex';
import { action } from '../../../cli/output';
import { StatementDeadlineExceeded } from '../../../src/ledger/db';

async function run(error: Error, format: string): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const command = new Command('verb').option('--format <format>', '', format);
  command.parse([], { from: 'user' });
  const before = process.exitCode;
  try {
    await action((_command: Command) => Promise.reject(error))(command);
    return { stdout, stderr, code: Number(process.exitCode) };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('a ledger that does not answer, whatever the verb', () => {
  it.each([
    [
      'a statement past its deadline (knex)',
      new KnexTimeoutError('Defined query timeout of 30000ms exceeded'),
    ],
    ["a transaction's statement past its deadline", new StatementDeadlineExceeded(20_000, new Error('x'))],
    [
      'a connection refused',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }),
    ],
  ])('%s is one line, exit 1', async (_, error) => {
    const text = await run(error, 'text');
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      `pocket: the ledger (DATABASE_URL) did not answer: ${error.message}; run the command again once it answers\n`,
    );
    const json = await run(error, 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'dependency_unavailable',
        message: `the ledger did not answer: ${error.message}`,
        dependency: 'ledger',
      },
    });
  });

  it('a full disk under the SQLite ledger is named as such, without the statement', async () => {
    // better-sqlite3's error as knex passes it on: the statement, then SQLite's own words.
    const error = Object.assign(
      new Error("INSERT INTO leases (name, holder) VALUES ('scheduler', 'vm 1') - database or disk is full"),
      { code: 'SQLITE_FULL' },
    );
    const message =
      'the SQLite ledger cannot be written: its disk is full (SQLITE_FULL); free space on it (or move ' +
      'POCKET_DATA_DIR to a bigger one), then run the command again';
    const text = await run(error, 'text');
    expect(text).toEqual({ stdout: '', stderr: `pocket: ${message}\n`, code: 1 });
    const json = await run(error, 'json');
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'ledger_full', message } });
  });

  it('still prints a stack for an error that is not the ledger', async () => {
    const { stderr } = await run(new TypeError('boom'), 'text');
    expect(stderr).toMatch(/^pocket: unexpected error: TypeError: boom\n {4}at /);
  });
});
