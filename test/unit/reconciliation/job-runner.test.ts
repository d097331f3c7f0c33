import { createLogger, silentLogger } from '../../../src/observability/logger';
import { JobRunner, type JobTurn } from '../../../src/reconciliation/job-runner';
import type { Lease } from '../../../src/reconciliation/lease';
import { LeaseKeeper } from '../../../src/reconciliation/lease-keeper';
import { ensureLeader, LeaseLostError, type StillLeader } from '../../../src/shared/still-leader';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('job runner', () => {
  it('skips a turn while the previous run is still going, then runs again once it finished', async () => {
    const gate = deferred();
    let runs = 0;
    const runner = new JobRunner(
      'slow',
      async () => {
        runs += 1;
        await gate.promise;
      },
      { leader: async () => true, held: () => true, logger: silentLogger() },
    );
    const first = runner.trigger();
    await new Promise((r) => setImmediate(r));
    expect(runner.busy).toBe(true);
    expect(await runner.trigger()).toBe('skipped_busy');
    expect(await runner.trigger()).toBe('skipped_busy');
    gate.resolve();
    expect(await first).toBe('ran');
    expect(runs).toBe(1);
    gate.resolve();
    expect(await runner.trigger()).toBe('ran');
    expect(runs).toBe(2);
  });

  it('does not run without the lease, and reports a failed run without stopping later ones', async () => {
    let leader = false;
    let runs = 0;
    const runner = new JobRunner(
      'flaky',
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('boom');
      },
      { leader: async () => leader, held: () => leader, logger: silentLogger() },
    );
    expect(await runner.trigger()).toBe('skipped_not_leader');
    expect(runs).toBe(0);
    leader = true;
    expect(await runner.trigger()).toBe('failed');
    expect(await runner.trigger()).toBe('ran');
    expect(runs).toBe(2);
  });
});

/** A lease store another instance can take over: `taken` makes every acquire of `me` fail. */
function leaseStore(): Lease & { taken: boolean } {
  return {
    taken: false,
    async acquire() {
      return !this.taken;
    },
    release: async () => undefined,
    close: async () => undefined,
  };
}

describe('job runner: the lease lost mid-run', () => {
  let now: number;
  let lines: Array<{ level: number; msg: string; job?: string }>;
  let turns: Array<{ turn: JobTurn; result?: unknown }>;
  let store: Lease & { taken: boolean };
  let keeper: LeaseKeeper;
  beforeEach(() => {
    now = Date.parse('2026-11-11T03:30:00Z');
    lines = [];
    turns = [];
    store = leaseStore();
    keeper = new LeaseKeeper(store, 'scheduler', 'me', 30_000, undefined, () => now);
  });
  const runnerOf = (name: string, job: (stillLeader: StillLeader) => Promise<unknown>): JobRunner =>
    new JobRunner(name, job, {
      leader: () => keeper.confirm(),
      held: () => keeper.held(),
      logger: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as never) }),
      onTurn: (turn, result) => turns.push({ turn, result }),
    });

  it('stops a job that checks between steps at the first step after a stall outlived the lease', async () => {
    const done: number[] = [];
    const runner = runnerOf('offline-reconcile', async (stillLeader) => {
      for (let step = 1; step <= 10; step++) {
        ensureLeader(stillLeader);
        done.push(step);
        if (step === 3) now += 31_000; // a stall longer than the TTL: another instance may hold it now
      }
      return done.length;
    });
    expect(await runner.trigger()).toBe('abandoned');
    expect(done).toEqual([1, 2, 3]);
    expect(turns).toEqual([{ turn: 'abandoned', result: expect.any(LeaseLostError) }]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([
      expect.objectContaining({
        level: 40,
        job: 'offline-reconcile',
        msg: 'scheduler lease lost: run stopped, left to the new holder',
      }),
    ]);
    expect(runner.busy).toBe(false);
  });

  it('counts a job that returned early because it lost the lease as abandoned, not as ran', async () => {
    const sent: number[] = [];
    const runner = runnerOf('notifications', async (stillLeader) => {
      for (let n = 1; n <= 5; n++) {
        if (!stillLeader()) break;
        sent.push(n);
        if (n === 2) {
          store.taken = true; // another instance took the lease; this one's next renewal finds out
          await keeper.confirm();
        }
      }
      return sent.length;
    });
    expect(await runner.trigger()).toBe('abandoned');
    expect(sent).toEqual([1, 2]);
    expect(turns).toEqual([{ turn: 'abandoned', result: 2 }]);
    expect(await runner.trigger()).toBe('skipped_not_leader');
  });

  it('keeps saying no for the rest of the run once the lease was lost, even if it comes back', async () => {
    const answers: boolean[] = [];
    const runner = runnerOf('alerts', async (stillLeader) => {
      answers.push(stillLeader());
      await keeper.stepDown(0); // given up…
      answers.push(stillLeader());
      await keeper.confirm(); // …and taken back: someone else may have run the job in between
      answers.push(keeper.held(), stillLeader());
    });
    expect(await runner.trigger()).toBe('abandoned');
    expect(answers).toEqual([true, false, true, false]);
  });

  it('runs to the end, turn ran, while the lease is renewed', async () => {
    let steps = 0;
    const runner = runnerOf('realtime-reconcile', async (stillLeader) => {
      for (let step = 1; step <= 5; step++) {
        ensureLeader(stillLeader);
        steps += 1;
        now += 20_000;
        await keeper.confirm(); // the renewal every ttl/3
      }
    });
    expect(await runner.trigger()).toBe('ran');
    expect(steps).toBe(5);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
