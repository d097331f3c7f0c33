import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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

    it('ends a session left idle inside a transaction for a minute, and keeps its connections alive', async () => {
      const setting = await db().raw<{ rows: Array<{ t: string }> }>(
        "SELECT current_setting('idle_in_transaction_session_timeout') AS t",
      );
      expect(setting.rows[0]?.t).toBe('1min');
      const connection = (db().client as { connectionSettings: Record<string, unknown> }).connectionSettings;
      expect(connection).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    });
  }

  if (kind === 'sqlite') {
    it('enforces foreign keys and runs in WAL mode, each commit on disk before it is answered', async () => {
      const fk = (await db().raw('PRAGMA foreign_keys')) as Array<{ foreign_keys: number }>;
      const mode = (await db().raw('PRAGMA journal_mode')) as Array<{ journal_mode: string }>;
      const sync = (await db().raw('PRAGMA synchronous')) as Array<{ synchronous: number }>;
      expect(fk[0]?.foreign_keys).toBe(1);
      expect(mode[0]?.journal_mode).toBe('wal');
      // 2 = FULL: a commit, an answered grant's included, survives a power loss; NORMAL (1) may roll it back.
      expect(sync[0]?.synchronous).toBe(2);
    });

    it('prepares each statement text once per connection, and a kept one follows a schema change', async () => {
      // knex prepared every query anew: a fifth of the embedded service's CPU under load.
      const other = createDb({ sqliteFile: ':memory:' });
      try {
        const client = other.client as {
          acquireConnection(): Promise<{ prepare(sql: string): unknown }>;
          releaseConnection(connection: unknown): Promise<void>;
        };
        const connection = await client.acquireConnection();
        expect(connection.prepare('SELECT 1')).toBe(connection.prepare('SELECT 1'));
        await client.releaseConnection(connection);
        await other.raw('CREATE TABLE t (a integer)');
        await other('t').insert({ a: 1 });
        expect(await other('t').select('*')).toEqual([{ a: 1 }]);
        await other.raw('ALTER TABLE t ADD COLUMN b integer DEFAULT 7');
        expect(await other('t').select('*')).toEqual([{ a: 1, b: 7 }]);
      } finally {
        await other.destroy();
      }
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

    it('a transaction that reads, then writes, waits for another process writing the file instead of failing', async () => {
      // `pocket publish` or `pause` against the file of a running service: the service writes grants between the
      // publish's reads and its writes. Under knex's deferred BEGIN that publish failed with SQLITE_BUSY.
      const dir = join(tmpdir(), 'pocket-tests', uniqueName('dir'));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'ledger.sqlite');
      const other = createDb({ sqliteFile: file });
      const writer = [
        "const db = new (require('better-sqlite3'))(process.argv[1]);",
        "db.pragma('busy_timeout = 5000');",
        "db.prepare('INSERT INTO t (v) VALUES (2)').run();",
      ].join(' ');
      try {
        await other.raw('CREATE TABLE t (v integer)');
        let exited: Promise<number | null> = Promise.resolve(null);
        await other.transaction(async (trx) => {
          await trx('t').count({ n: '*' });
          const child = spawn(process.execPath, ['-e', writer, file], {
            cwd: join(__dirname, '../../..'),
            stdio: 'ignore',
          });
          exited = new Promise((resolve) => child.on('exit', resolve));
          // Long enough for the other process to write, if the transaction lets it.
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
          await trx('t').insert({ v: 1 });
        });
        expect(await exited).toBe(0);
        const rows = await other('t').select('v').orderBy('rowid');
        expect(rows).toEqual([{ v: 1 }, { v: 2 }]);
      } finally {
        await other.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('with lockWaitMs, writes wait for another process on timers, without holding the connection from reads', async () => {
      // The service's handle: SQLite's busy_timeout waited with the event loop blocked (and, here, the holder with it).
      const dir = join(tmpdir(), 'pocket-tests', uniqueName('dir'));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'ledger.sqlite');
      const logged: string[] = [];
      const other = createDb({ sqliteFile: file, lockWaitMs: 1000, log: (m) => logged.push(m) });
      const holder = new Database(file);
      try {
        await other.raw('CREATE TABLE t (v integer)');
        holder.exec('BEGIN IMMEDIATE');
        let handlerRuns = 0;
        const inserted = other('t').insert({ v: 1 });
        const transaction = other.transaction(async (trx) => {
          handlerRuns += 1;
          await trx('t').insert({ v: 2 });
        });
        // A read answers while both writes wait (WAL: it needs no write lock); before, a write blocked for 5 s.
        const started = performance.now();
        expect(await other('t').count({ n: '*' })).toEqual([{ n: 0 }]);
        expect(performance.now() - started).toBeLessThan(1000);
        setTimeout(() => holder.exec('ROLLBACK'), 200);
        await Promise.all([inserted, transaction]);
        // The refused BEGIN IMMEDIATEs did not run the handler.
        expect(handlerRuns).toBe(1);
        expect(await other('t').select('v').orderBy('v')).toEqual([{ v: 1 }, { v: 2 }]);

        holder.exec('BEGIN IMMEDIATE');
        const waited = performance.now();
        await expect(other('t').insert({ v: 3 })).rejects.toMatchObject({
          code: 'SQLITE_BUSY',
          waitedMs: 1000,
        });
        expect(performance.now() - waited).toBeGreaterThanOrEqual(990);
        expect(logged).toEqual([
          'the SQLite ledger is locked by another process: a write waited 1000 ms for it, and failed',
        ]);
        holder.exec('ROLLBACK');
        await other('t').insert({ v: 3 });
      } finally {
        holder.close();
        await other.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('with lockWaitMs, a read answers at once while a write waits for the lock, not after the write gives up', async () => {
      // Every statement outside a transaction waited with the writes (reads too), and failed as they did.
      const dir = join(tmpdir(), 'pocket-tests', uniqueName('dir'));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'ledger.sqlite');
      const other = createDb({ sqliteFile: file, lockWaitMs: 1000, log: () => undefined });
      const holder = new Database(file);
      try {
        await other.raw('CREATE TABLE t (v integer)');
        holder.exec('BEGIN IMMEDIATE');
        const waiting = Promise.allSettled([
          other('t').insert({ v: 1 }),
          other.transaction((trx) => trx('t').insert({ v: 2 })),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const started = performance.now();
        expect(await other('t').count({ n: '*' })).toEqual([{ n: 0 }]);
        expect(await other.raw('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
        expect(performance.now() - started).toBeLessThan(900);
        holder.exec('ROLLBACK');
        expect((await waiting).map((settled) => settled.status)).toEqual(['fulfilled', 'fulfilled']);
      } finally {
        holder.close();
        await other.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
