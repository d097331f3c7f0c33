/**
 * One scheduler across instances: the lease (Redis SET NX PX with compare-and-set renew/release, or the leases
 * table) has one holder at a time, and of two schedulers only the holder runs a job.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { connectRedis, createRedisClient } from '../../../src/hot-state/redis-client';
import { silentLogger } from '../../../src/observability/logger';
import { JobScheduler } from '../../../src/reconciliation/job-scheduler';
import { KnexLease } from '../../../src/reconciliation/knex-lease';
import type { Lease } from '../../../src/reconciliation/lease';
import { processHolder } from '../../../src/reconciliation/lease-holder';
import { LeaseKeeper } from '../../../src/reconciliation/lease-keeper';
import type { ReconcileRun } from '../../../src/reconciliation/reconcile-run-store';
import { RedisLease } from '../../../src/reconciliation/redis-lease';
import { DEFINITIONS, fakeClock, type FakeClock } from '../../helpers/delivery';
import { createBackends, createTestPocket, describeEachBackend } from '../../helpers/pocket';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { describeWithServices, uniqueName } from '../../helpers/services';

function schedulerWith(lease: Lease, holder: string, job: () => Promise<unknown>): JobScheduler {
  const keeper = new LeaseKeeper(lease, 'scheduler', holder, 30_000);
  return new JobScheduler([{ name: 'job', cron: '0 0 1 1 *', run: job }], keeper, silentLogger());
}

describeWithServices(['REDIS_URL'], 'Redis lease', () => {
  let redis: Redis;
  const prefix = `${uniqueName('lease')}:`;
  beforeAll(async () => {
    redis = await connectRedis(process.env.REDIS_URL ?? '');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('has one holder; renewal and release work only for the holder (compare-and-delete)', async () => {
    const a = new RedisLease(redis, prefix);
    const b = new RedisLease(redis, prefix);
    expect(await a.acquire('l1', 'token-a', 30_000)).toBe(true);
    expect(await b.acquire('l1', 'token-b', 30_000)).toBe(false);
    expect(await a.acquire('l1', 'token-a', 30_000)).toBe(true); // renewal
    await b.release('l1', 'token-b'); // not the holder: nothing happens
    expect(await redis.get(`${prefix}l1`)).toBe('token-a');
    expect(await redis.pttl(`${prefix}l1`)).toBeGreaterThan(20_000);
    await a.release('l1', 'token-a');
    expect(await b.acquire('l1', 'token-b', 30_000)).toBe(true);
  });

  it('connects a lazy client on first use', async () => {
    const lazy = createRedisClient(process.env.REDIS_URL ?? '', { lazyConnect: true });
    const lease = new RedisLease(lazy, prefix, true);
    try {
      const [a, b] = await Promise.all([lease.acquire('l0', 'x', 30_000), lease.acquire('l0', 'y', 30_000)]);
      expect([a, b].sort()).toEqual([false, true]);
    } finally {
      await lease.close();
    }
  });

  it('passes to another instance once the holder stops renewing (expiry)', async () => {
    const a = new RedisLease(redis, prefix);
    const b = new RedisLease(redis, prefix);
    expect(await a.acquire('l2', 'token-a', 50)).toBe(true);
    let taken = false;
    for (const deadline = Date.now() + 10_000; !taken && Date.now() < deadline;) {
      taken = await b.acquire('l2', 'token-b', 30_000);
      if (!taken) await new Promise((r) => setTimeout(r, 20));
    }
    expect(taken).toBe(true);
    expect(await a.acquire('l2', 'token-a', 30_000)).toBe(false);
  });

  it('lets only one of two schedulers run a job', async () => {
    const runs: string[] = [];
    const one = schedulerWith(new RedisLease(redis, prefix), 'one', async () => runs.push('one'));
    const two = schedulerWith(new RedisLease(redis, prefix), 'two', async () => runs.push('two'));
    const turns = await Promise.all([one.trigger('job'), two.trigger('job')]);
    expect([...turns].sort()).toEqual(['ran', 'skipped_not_leader']);
    expect(runs).toHaveLength(1);
    const leader = runs[0] === 'one' ? one : two;
    const follower = leader === one ? two : one;
    expect(await follower.trigger('job')).toBe('skipped_not_leader');
    await leader.stop(); // gives the lease up
    expect(await follower.trigger('job')).toBe('ran');
    await follower.stop();
  });
});

describeEachLedger('database lease', (kind) => {
  const ledger = useLedger(kind);
  let clock: FakeClock;
  beforeEach(async () => {
    clock = fakeClock(new Date('2026-11-11T02:00:00Z'));
    await ledger.current.db('leases').delete();
  });

  it('has one holder until it expires; release only by the holder', async () => {
    const a = new KnexLease(ledger.current.db, clock);
    const b = new KnexLease(ledger.current.db, clock);
    expect(await a.acquire('l', 'a', 30_000)).toBe(true);
    expect(await b.acquire('l', 'b', 30_000)).toBe(false);
    clock.advance(20_000);
    expect(await a.acquire('l', 'a', 30_000)).toBe(true); // renewed until +50 s
    clock.advance(20_000);
    expect(await b.acquire('l', 'b', 30_000)).toBe(false);
    await b.release('l', 'b');
    expect(await b.acquire('l', 'b', 30_000)).toBe(false);
    clock.advance(11_000); // a stopped renewing
    expect(await b.acquire('l', 'b', 30_000)).toBe(true);
    expect(await a.acquire('l', 'a', 30_000)).toBe(false);
    await b.release('l', 'b');
    expect(await a.acquire('l', 'a', 30_000)).toBe(true);
  });

  it('on SQLite, takes at once a lease whose holder is a process of this machine that is gone', async () => {
    // After a crash, the restarted embedded service's worker waited out the dead one's 30 s before relaying.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const gone = `${hostname()} ${dead.stdout.toString()} 0b7f`;
    const living = `${hostname()} ${process.ppid} 1c8e`;
    const elsewhere = `another-host ${dead.stdout.toString()} 2d9f`;
    const lease = new KnexLease(ledger.current.db, clock);
    for (const [holder, takenAtOnce] of [
      [gone, kind === 'sqlite'],
      [living, false],
      [elsewhere, false],
      ['worker-3ea0', false],
    ] as const) {
      await ledger.current.db('leases').delete();
      expect(await new KnexLease(ledger.current.db, clock).acquire('scheduler', holder, 30_000)).toBe(true);
      expect({ holder, taken: await lease.acquire('scheduler', processHolder(), 30_000) }).toEqual({
        holder,
        taken: takenAtOnce,
      });
    }
  });

  it('lets only one of two schedulers run, and skips a turn while the previous run is going', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const job = async () => {
      runs += 1;
      await gate;
    };
    const one = schedulerWith(new KnexLease(ledger.current.db, clock), 'one', job);
    const two = schedulerWith(new KnexLease(ledger.current.db, clock), 'two', job);
    const first = one.trigger('job');
    // Until the run has started (the lease taken in the ledger first); the deadline only ends a failing test.
    for (const deadline = Date.now() + 10_000; runs === 0 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 10));
    expect(runs).toBe(1); // one holds the lease and its run is going
    expect(await one.trigger('job')).toBe('skipped_busy');
    expect(await two.trigger('job')).toBe('skipped_not_leader');
    release();
    expect(await first).toBe('ran');
    expect(runs).toBe(1);
    await one.stop();
    await two.stop();
  });
});

describeEachBackend('the scheduled worker', (backend) => {
  it('runs the real-time job on its cron under the lease, and stops with the pocket', async () => {
    const backends = await createBackends(backend);
    const pocket = await createTestPocket(backends, {
      config: { definitionsRoot: DEFINITIONS, runWorker: true, reconcileCron: '* * * * * *' },
    });
    try {
      expect(pocket.delivery.worker.running).toBe(true);
      // Until a cron turn (every second) has finished a run; the deadline only ends a failing test. A run is
      // recorded as running when it starts and gets its outcome when it ends, and the next turn may have started
      // another: waiting for the latest run to exist, as this did, could find it still running.
      let finished: ReconcileRun | undefined;
      for (const deadline = Date.now() + 20_000; !finished && Date.now() < deadline;) {
        const runs = await pocket.delivery.runs.latest(backends.ledger.db, 'realtime', 10);
        finished = runs.find((r) => r.status !== 'running');
        if (!finished) await new Promise((r) => setTimeout(r, 100));
      }
      expect(finished).toEqual(expect.objectContaining({ kind: 'realtime', status: 'ok' }));
      expect(pocket.delivery.keeper.held()).toBe(true);
    } finally {
      await pocket.close();
      await backends.destroy();
    }
    expect(pocket.delivery.worker.running).toBe(false);
    expect(pocket.delivery.keeper.held()).toBe(false);
  });
});
