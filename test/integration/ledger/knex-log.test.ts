/**
 * knex's own messages (a failed connection acquire, a deprecation) go to stderr, never stdout: a CLI command's
 * `--format json` output must stay JSON even when knex reports something by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../../src/ledger/db';
import { ledgerDriverLog } from '../../../src/observability/ledger-driver-log';
import { createLogger } from '../../../src/observability/logger';

interface KnexLogger {
  warn(message: unknown): void;
  error(message: unknown): void;
  deprecate(method: string, alternative: string): void;
}

describe("knex's log", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-knex-log-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const ledgers: Array<[string, () => Db]> = [
    ['SQLite', () => createDb({ sqliteFile: join(dir, 'pocket.sqlite') })],
    // Never connected: the logger is set up with the client.
    ['PostgreSQL', () => createDb({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' })],
  ];

  it.each(ledgers)(
    '%s: warnings, errors and deprecations go to stderr, nothing to stdout',
    async (_, open) => {
      const db = open();
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const logger = (db.client as { logger: KnexLogger }).logger;
        logger.warn('Acquire connection error');
        logger.error({ message: 'an object' });
        logger.deprecate('old()', 'new()');
      } finally {
        jest.restoreAllMocks();
        await db.destroy();
      }
      expect(stdout).not.toHaveBeenCalled();
      const written = stderr.mock.calls.map(([text]) => String(text)).join('');
      expect(written).toContain('Acquire connection error\n');
      expect(written).toContain("message: 'an object'");
      expect(written).toContain('old() is deprecated, please use new()\n');
    },
  );

  it("sends knex's messages to the sink instead of stderr: 50 queries against a PostgreSQL that refuses connections write one line", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const db = createDb({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
      log: ledgerDriverLog(logger),
    });
    try {
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => db.raw('select 1')));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      const written = stderr.mock.calls.map((call) => String(call[0]));
      stderr.mockRestore();
      expect(written).toEqual([]);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          msg: 'ledger driver',
          detail: expect.stringMatching(/^Acquire connection error: Error: connect ECONNREFUSED/) as string,
        }),
      ]);
    } finally {
      stderr.mockRestore();
      await db.destroy();
    }
  });
});
