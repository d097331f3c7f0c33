/**
 * A `pocket worker` cut off from PostgreSQL but not from Redis (a failover, a partition between it and the
 * ledger): its scheduler lease's renewal needs only Redis, so it kept the lease while every job turn failed after
 * its deadline, and no healthy worker could take over. After LEDGER_FAILURES_TO_STEP_DOWN turns in a row failed on
 * the ledger it now gives the lease up, and leaves it for one TTL: a healthy worker takes it at its next turn.
 *
 * Real Redis for the lease; PostgreSQL through a TCP proxy of the test's own that holds back what it is told to.
 */
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../src/hot-state/redis-client';
import { createDb, type Db } from '../../../src/ledger/db';
import type { WorkerParts } from '../../../src/reconciliation/create-worker';
import { LEDGER_FAILURES_TO_STEP_DOWN } from '../../../src/reconciliation/ledger-failure-streak';
import { RedisLease } from '../../../src/reconciliation/redis-lease';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { bareWorker } from '../../helpers/bare-worker';
import { describeWithServices, uniqueName } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'a worker cut off from its ledger only', () => {
  let ledger: TestLedger;
  let proxy: StallingProxy;
  let redis: Redis;
  let cutOffDb: Db;
  const workers: WorkerParts[] = [];
  const prefix = `${uniqueName('lease')}:`;
  afterAll(async () => {
    proxy.stallOn(null);
    for (const parts of workers) await parts.close();
    await cutOffDb.destroy();
    await proxy.close();
    await ledger.destroy();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  function worker(db: Db): WorkerParts {
    const parts = bareWorker(db, {
      lease: new RedisLease(redis, prefix),
      // Long: the lease must pass on because it is given up, not because it ran out.
      leaseTtlMs: 120_000,
    });
    workers.push(parts);
    return parts;
  }

  it('gives the lease up after turns failing on the ledger; a healthy worker takes it over', async () => {
    ledger = await withLedger('postgres');
    const behind = await ledgerBehindProxy(ledger);
    proxy = behind.proxy;
    redis = await connectRedis(process.env.REDIS_URL ?? '');
    cutOffDb = createDb({ databaseUrl: behind.url });
    const cutOff = worker(cutOffDb);
    const healthy = worker(ledger.db);
    expect(await cutOff.keeper.confirm()).toBe(true);
    expect(await healthy.keeper.confirm()).toBe(false);

    proxy.stallOn('"notifications"');
    for (let turn = 1; turn < LEDGER_FAILURES_TO_STEP_DOWN; turn += 1) {
      expect(await cutOff.scheduler.trigger('notifications')).toBe('failed');
    }
    // Not yet: one stuck statement or a short failover does not move the lease.
    expect(await healthy.keeper.confirm()).toBe(false);
    expect(await cutOff.scheduler.trigger('notifications')).toBe('failed');
    // Before, the cut-off worker kept renewing it in Redis: every turn failed and no other worker ran the jobs.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cutOff.keeper.held()).toBe(false);
    expect(await healthy.keeper.confirm()).toBe(true);
    expect(await healthy.scheduler.trigger('notifications')).toBe('ran');
    expect(await cutOff.scheduler.trigger('notifications')).toBe('skipped_not_leader');
  }, 60_000);
});
