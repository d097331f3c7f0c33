import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, isPostgres, parseInt8 } from '../../../src/ledger/db';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { uniqueName } from '../../helpers/services';

describeEachLedger('ledger db', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('knows its engine', () => {
    expect(isPostgres(db())).toBe(kind === 'postgres');
  });

  it('returns bigint columns and count(*) as numbers', async () => {
    const row = (await db()('grants').count({ n: '*' }).first()) as { n: unknown };
    expect(row.n).toBe(0);
    const cast = kind === 'postgres' ? 'CAST(9007199254740991 AS bigint)' : '9007199254740991';
    const result = (await db().raw(`SELECT ${cast} AS v`)) as
      { rows?: Array<{ v: unknown }> } | Array<{ v: unknown }>;
    const rows = Array.isArray(result) ? result : (result.rows ?? []);
    expect(rows[0]?.v).toBe(Number.MAX_SAFE_INTEGER);
  });

  if (kind === 'postgres') {
    it('refuses an int8 above Number.MAX_SAFE_INTEGER instead of rounding it', async () => {
      await expect(db().raw('SELECT CAST(9007199254740993 AS bigint) AS v')).rejects.toThrow(
        /MAX_SAFE_INTEGER/,
      );
      expect(() => parseInt8('-9007199254740993')).toThrow(RangeError);
      expect(parseInt8('-42')).toBe(-42);
    });

    it('runs its sessions at READ COMMITTED whatever the server default (the range fences need it)', async () => {
      const url = new URL(process.env['DATABASE_URL'] ?? '');
      url.searchParams.set('options', '-c default_transaction_isolation=serializable');
      const strict = createDb({ databaseUrl: url.toString(), pool: { min: 0, max: 1 } });
      try {
        const level = await strict.transaction(async (trx) => {
          const result = await trx.raw<{ rows: Array<{ level: string }> }>(
            "SELECT current_setting('transaction_isolation') AS level",
          );
          return result.rows[0]?.level;
        });
        expect(level).toBe('read committed');
      } finally {
        await strict.destroy();
      }
    });
  }

  if (kind === 'sqlite') {
    it('enforces foreign keys and runs in WAL mode', async () => {
      const fk = (await db().raw('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      const mode = (await db().raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      expect(fk[0]?.foreign_keys).toBe(1);
      expect(mode[0]?.journal_mode).toBe('wal');
    });

    it('creates the parent directory of the SQLite file', async () => {
      const dir = join(tmpdir(), 'pocket-tests', uniqueName('dir'));
      const other = createDb({ sqliteFile: join(dir, 'nested', 'ledger.sqlite') });
      try {
        await other.raw('SELECT 1');
        expect(existsSync(join(dir, 'nested', 'ledger.sqlite'))).toBe(true);
      } finally {
        await other.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
