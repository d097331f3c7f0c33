/**
 * An isolated, migrated ledger per suite: a fresh PostgreSQL schema (search_path "<schema>,public") or a
 * temporary SQLite file.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { createDb, type Db } from '../../src/ledger/db';
import { migrate } from '../../src/ledger/migrate';
import { describeWithServices, uniqueName } from './services';

export type LedgerKind = 'postgres' | 'sqlite';
const ledgerKinds: readonly LedgerKind[] = ['postgres', 'sqlite'];

export interface TestLedger {
  kind: LedgerKind;
  db: Db;
  /** Deletes every row (children first). */
  truncate(): Promise<void>;
  /** Closes the pool and drops the schema / deletes the file. */
  destroy(): Promise<void>;
}

const tables = ['audit_log', 'outbox', 'grants', 'participations', 'campaign_state', 'campaign_versions'];

async function truncateAll(db: Db): Promise<void> {
  for (const table of tables) await db(table).delete();
}

export interface LedgerOptions {
  pool?: { min: number; max: number };
  /** PostgreSQL: how long a statement waits for a connection (the service's LEDGER_WAIT_MS); default knex's. */
  acquireTimeoutMs?: number;
}

async function postgresLedger({ pool, acquireTimeoutMs }: LedgerOptions): Promise<TestLedger> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const schema = uniqueName('ledger').toLowerCase();
  const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE SCHEMA ??', [schema]);
  // Should a race in a test deadlock (the fences are built not to), PostgreSQL tells within 100 ms instead of
  // the server's 1 s, so the test fails on its tally rather than running into its timeout.
  const fast = new URL(url);
  fast.searchParams.set('options', '-c deadlock_timeout=100ms');
  const db = createDb({
    databaseUrl: fast.toString(),
    searchPath: `${schema},public`,
    ...(pool ? { pool } : {}),
    ...(acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs }),
  });
  await migrate(db);
  return {
    kind: 'postgres',
    db,
    truncate: () => truncateAll(db),
    async destroy() {
      await db.destroy();
      await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await admin.destroy();
    },
  };
}

/** A PostgreSQL schema of a suite's own, for the processes it starts: `url` is DATABASE_URL with its search_path. */
export interface OwnSchema {
  url: string;
  drop(): Promise<void>;
}

export async function ownSchema(prefix: string): Promise<OwnSchema> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const schema = uniqueName(prefix).toLowerCase();
  const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE SCHEMA ??', [schema]);
  const own = new URL(url);
  own.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    url: own.toString(),
    async drop() {
      await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await admin.destroy();
    },
  };
}

async function sqliteLedger(): Promise<TestLedger> {
  const file = join(tmpdir(), 'pocket-tests', `${uniqueName('ledger')}.sqlite`);
  const db = createDb({ sqliteFile: file });
  await migrate(db);
  return {
    kind: 'sqlite',
    db,
    truncate: () => truncateAll(db),
    async destroy() {
      await db.destroy();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

export function withLedger(kind: LedgerKind, opts: LedgerOptions = {}): Promise<TestLedger> {
  return kind === 'postgres' ? postgresLedger(opts) : sqliteLedger();
}

/** describe.each over both engines; PostgreSQL is gated by DATABASE_URL (see describeWithServices). */
export function describeEachLedger(title: string, body: (kind: LedgerKind) => void): void {
  for (const kind of ledgerKinds) {
    if (kind === 'postgres') describeWithServices(['DATABASE_URL'], `${title} [postgres]`, () => body(kind));
    else describe(`${title} [sqlite]`, () => body(kind));
  }
}

/**
 * Registers beforeAll (create + migrate), afterEach (truncate) and afterAll (destroy) in the current
 * describe; read `.current` inside tests.
 */
export function useLedger(
  kind: LedgerKind,
  opts: { pool?: { min: number; max: number } } = {},
): { readonly current: TestLedger } {
  let ledger: TestLedger | undefined;
  beforeAll(async () => {
    ledger = await withLedger(kind, opts);
  });
  afterEach(async () => {
    await ledger?.truncate();
  });
  afterAll(async () => {
    await ledger?.destroy();
  });
  return {
    get current(): TestLedger {
      if (!ledger) throw new Error('ledger not ready (use it inside a test)');
      return ledger;
    },
  };
}
