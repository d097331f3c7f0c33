/**
 * knex's own messages go to stderr, never stdout: a CLI command's `--format json` output must stay JSON even
 * when the ledger fails in a way knex reports by itself (here: a ledger file that is not a database).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../../src/ledger/db';

describe("knex's log", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-knex-log-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a failed connection acquire to stderr, nothing to stdout', async () => {
    const file = join(dir, 'pocket.sqlite');
    writeFileSync(file, 'not a database, only text that happens to be here\n'.repeat(100));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const db = createDb({ sqliteFile: file });
    try {
      await expect(db.raw('SELECT 1')).rejects.toThrow(/not a database/);
    } finally {
      await db.destroy();
    }
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(/not a database/);
  });
});
