/**
 * The worker on a ledger whose connections go silent (a failover in progress: what was sent is neither answered
 * nor refused, while new connections work). Its relay runs one batch at a time and each job one turn at a time,
 * so a statement stuck on such a connection used to stop the relay, or that job, until TCP gave up, and a job's
 * turn asks the scheduler lease first (the `leases` table without Redis): a renewal stuck that way stopped every
 * job. Each of their statements now has a deadline: the batch or the turn fails, is logged, and the next goes on.
 *
 * PostgreSQL is reached through a TCP proxy of the test's own that holds back what it is told to.
 */
import { createDb, type Db } from '../../../src/ledger/db';
import type { WorkerParts } from '../../../src/reconciliation/create-worker';
import { KnexLease } from '../../../src/reconciliation/knex-lease';
import { settledWithin } from '../../../src/shared/settled-within';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { bareWorker } from '../../helpers/bare-worker';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';

describeWithServices(['DATABASE_URL'], 'the worker on a ledger that goes silent', () => {
  let ledger: TestLedger | undefined;
  let proxy: StallingProxy | undefined;
  let db: Db | undefined;
  let parts: WorkerParts | undefined;
  afterEach(async () => {
    proxy?.stallOn(null);
    proxy?.stall(false);
    await parts?.close();
    await db?.destroy();
    await proxy?.close();
    await ledger?.destroy();
  });

  /** The worker's parts on the ledger through the proxy, with the `leases` table's lease (no Redis). */
  async function workerBehindProxy(leaseTtlMs = 30_000): Promise<WorkerParts> {
    ledger = await withLedger('postgres');
    const behind = await ledgerBehindProxy(ledger);
    proxy = behind.proxy;
    db = createDb({ databaseUrl: behind.url });
    parts = bareWorker(db, { leaseTtlMs });
    return parts;
  }

  it('gives up a relay batch whose claim goes unanswered, and claims again', async () => {
    const { relay } = await workerBehindProxy();
    proxy!.stallOn('UPDATE outbox SET locked_by');
    // Before, the claim never settled: the relay's loop waited on it, and so did SIGTERM.
    expect(await settledWithin(relay.runOnce(), 8000)).toBe(true);
    proxy!.stallOn(null);
    expect((await relay.runOnce()).claimed).toBe(0);
  }, 30_000);

  it('fails a job’s turn stuck on a silent connection, and runs the next turn', async () => {
    const { scheduler } = await workerBehindProxy();
    proxy!.stallOn('"notifications"');
    const stuck = scheduler.trigger('notifications');
    // Before, the turn never ended, and every later turn of the job was skipped as 'previous run still going'.
    expect(await settledWithin(stuck, 8000)).toBe(true);
    expect(await stuck).toBe('failed');
    proxy!.stallOn(null);
    expect(await scheduler.trigger('notifications')).toBe('ran');
  }, 30_000);

  it('skips a turn whose lease renewal goes unanswered; another worker takes the lease once it runs out', async () => {
    const { scheduler, keeper } = await workerBehindProxy(2000);
    expect(await keeper.confirm()).toBe(true);
    proxy!.stallOn('INTO leases');
    const turn = scheduler.trigger('notifications');
    // Before, the turn waited on the renewal for good: this worker's jobs all stopped, though it no longer held
    // the lease once its TTL ran out (its own clock) and another worker took it.
    expect(await settledWithin(turn, 8000)).toBe(true);
    expect(await turn).toBe('skipped_not_leader');
    expect(keeper.held()).toBe(false);
    expect(await new KnexLease(ledger!.db).acquire('scheduler', 'worker-b', 30_000)).toBe(true);
  }, 30_000);
});
