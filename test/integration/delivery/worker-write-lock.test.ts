/**
 * `pocket worker` on its own against the embedded ledger while another program holds the SQLite write lock (a
 * `sqlite3` shell with `BEGIN IMMEDIATE;` open, a `pocket grants void`). Its connection kept SQLite's 5 s
 * busy_timeout, and better-sqlite3 is synchronous: each write it tried (the relay's claim, a lease renewal)
 * stood the worker's event loop still for 5 s, its lease timers, cron turns and issuer calls' timeouts with it.
 * It now waits for the lock on timers as the service does (openLedgerDb 'worker'), up to LEDGER_WAIT_MS: the
 * write fails its turn, logged, nothing written, and a turn after the lock is given up delivers the grant.
 * The ledger is opened and the worker assembled as cli/worker-runtime.ts does; the holder is a second
 * connection of this very process (a blocked event loop could not even give the lock up).
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nock from 'nock';
import { createStores, ledgerRegistry, openLedgerDb } from '../../../src/backends';
import { LEDGER_WAIT_MS, type Db } from '../../../src/ledger/db';
import { createLogger } from '../../../src/observability/logger';
import { createWorker, type WorkerParts } from '../../../src/reconciliation/create-worker';
import { AT, DEFINITIONS, fakeClock, grantStatuses, recordedGrants } from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { removeDir, testConfig } from '../../helpers/pocket';
import { holdWriteLock, worstTimerDelay } from '../../helpers/sqlite-write-lock';

const WALLET = 'http://wallet.write-lock.test';

describe('a standalone worker while another program holds the SQLite write lock', () => {
  let dataDir: string;
  let db: Db;
  let parts: WorkerParts;
  let issuer: FakeIssuer;
  let grantId: string;
  const messages: string[] = [];
  // Before the grant is due: the worker takes its lease and polls an outbox with nothing to send yet.
  const clock = fakeClock(new Date(AT.getTime() - 60_000));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-worker-lock-'));
    [grantId = ''] = await recordedGrants({ POCKET_DATA_DIR: dataDir }, ['u-worker-lock']);
    const config = testConfig({
      POCKET_DATA_DIR: dataDir,
      POCKET_DEFINITIONS: DEFINITIONS,
      ISSUER_RED_PACKET_URL: WALLET,
    });
    issuer = new FakeIssuer(WALLET, clock);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const { msg, detail } = JSON.parse(line) as { msg: string; detail?: string };
          messages.push(detail ?? msg);
        }
        done();
      },
    });
    const logger = createLogger('info', sink);
    db = openLedgerDb(config, logger, 'worker');
    const stores = createStores();
    const registry = ledgerRegistry(db, stores);
    await registry.refresh();
    parts = createWorker({
      config,
      db,
      registry,
      hot: null,
      grants: stores.grants,
      outbox: stores.outbox,
      audit: stores.audit,
      logger,
      clock,
      notifier: null,
      // The scheduler lease in the ledger (SQLite: only its holder relays), renewed every 500 ms.
      leaseTtlMs: 1500,
      relay: { pollMs: 50 },
    });
    parts.worker.start();
    for (const deadline = Date.now() + 10_000; !parts.keeper.held() && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(parts.keeper.held()).toBe(true);
  });
  afterAll(async () => {
    await parts?.close();
    await db?.destroy();
    nock.cleanAll();
    removeDir(dataDir);
  });

  const outboxRow = () =>
    db('outbox').where({ grant_id: grantId }).first('status', 'attempts', 'locked_by') as Promise<unknown>;

  it('keeps its event loop running and writes nothing while locked, then delivers on a later turn', async () => {
    expect(grantId).not.toBe('');
    const release = holdWriteLock(join(dataDir, 'pocket.sqlite'));
    let worstDelay: number;
    try {
      // The grant is due now: the relay's next poll claims it, a write refused until the lock is given up.
      clock.set(new Date(AT.getTime() + 1000));
      worstDelay = await worstTimerDelay(LEDGER_WAIT_MS + 1000);
      // Reads go on (WAL): nothing was sent, claimed or recorded.
      expect(issuer.requests).toEqual([]);
      expect(await grantStatuses(db, [grantId])).toEqual({ [grantId]: 'pending' });
      expect(await outboxRow()).toEqual({ status: 'pending', attempts: 0, locked_by: null });
    } finally {
      release();
    }
    // Before, the loop stood still for the 5 s busy_timeout of each write tried (5063 ms measured). The bound is
    // half of that, room for a busy CI host (a collection, another suite's processes): it catches a block of seconds.
    expect(worstDelay).toBeLessThan(2500);
    // A failed turn, logged (at most once a minute each), not a crash.
    const locked = `the SQLite ledger is locked by another process: a write waited ${LEDGER_WAIT_MS} ms for it, and failed`;
    expect(messages.filter((m) => m === locked).length).toBe(1);
    expect(messages).toContain('outbox relay batch failed');
    expect(parts.worker.running).toBe(true);

    // Polled until a deadline that only ends a failing test: the lease is taken again at its next renewal, then
    // the relay's next poll delivers.
    for (const deadline = Date.now() + 20_000; issuer.requests.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 50));
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      if ((await grantStatuses(db, [grantId]))[grantId] === 'delivered') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(issuer.ids()).toEqual([grantId]);
    expect(issuer.requests.map((r) => r.answered)).toEqual([201]);
    expect(await grantStatuses(db, [grantId])).toEqual({ [grantId]: 'delivered' });
    expect(await outboxRow()).toMatchObject({ status: 'done', attempts: 1 });
  }, 60_000);
});
