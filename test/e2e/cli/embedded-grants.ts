/**
 * An embedded SQLite ledger in a temporary data directory holding grants of the TINY campaign, made through the
 * real service (clock at AT), for suites that then drive the CLI's worker and reconciliation verbs on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../../src/ledger/db';
import { DEFINITIONS, recordedGrants, users } from '../../helpers/delivery';
import { pocket, type PocketRun } from './run-pocket';

export interface EmbeddedGrants {
  /** The grant ids, sorted. */
  ids: string[];
  /** The variables every run gets (POCKET_DATA_DIR and the others; undefined: removed). */
  env: Record<string, string | undefined>;
  /** Runs the CLI on this ledger (embedded backends, no notifier, POCKET_AUTHOR set). */
  run(...args: string[]): Promise<PocketRun>;
  /** The same, with these variables changed (undefined removes one). */
  runWith(env: Record<string, string | undefined>, ...args: string[]): Promise<PocketRun>;
  /** A connection to the ledger for `fn`, closed afterwards. */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  remove(): void;
}

/** One grant of TINY per user `u-<userPrefix>-0 … n-1`. */
export async function embeddedGrants(options: {
  dirPrefix: string;
  author: string;
  userPrefix: string;
  count: number;
}): Promise<EmbeddedGrants> {
  const dataDir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  const env = {
    POCKET_DATA_DIR: dataDir,
    POCKET_DEFINITIONS: DEFINITIONS,
    POCKET_AUTHOR: options.author,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    NOTIFY_URL: undefined,
    LOG_LEVEL: 'silent',
  };
  const ids = await recordedGrants({ POCKET_DATA_DIR: dataDir }, users(options.userPrefix, options.count));
  return {
    ids,
    env,
    run: (...args) => pocket(args, { env }),
    runWith: (changes, ...args) => pocket(args, { env: { ...env, ...changes } }),
    async withDb(fn) {
      const db = createDb({ sqliteFile: join(dataDir, 'pocket.sqlite') });
      try {
        return await fn(db);
      } finally {
        await db.destroy();
      }
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/**
 * A suite's embedded ledger: registers beforeAll (embeddedGrants) and afterAll (remove). Read it inside tests and
 * hooks, once the suite has started.
 */
export function useEmbeddedGrants(
  options: Parameters<typeof embeddedGrants>[0],
): Omit<EmbeddedGrants, 'remove'> {
  let fixture: EmbeddedGrants | undefined;
  const ready = (): EmbeddedGrants => {
    if (!fixture) throw new Error('the embedded ledger is not ready');
    return fixture;
  };
  beforeAll(async () => {
    fixture = await embeddedGrants(options);
  });
  afterAll(() => fixture?.remove());
  return {
    get ids() {
      return ready().ids;
    },
    get env() {
      return ready().env;
    },
    run: (...args) => ready().run(...args),
    runWith: (changes, ...args) => ready().runWith(changes, ...args),
    withDb: (fn) => ready().withDb(fn),
  };
}
