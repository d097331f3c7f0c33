import { JobRunner } from '../../../src/reconciliation/job-runner';
import { silentLogger } from '../../../src/observability/logger';

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
      { leader: async () => true, logger: silentLogger() },
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
      { leader: async () => leader, logger: silentLogger() },
    );
    expect(await runner.trigger()).toBe('skipped_not_leader');
    expect(runs).toBe(0);
    leader = true;
    expect(await runner.trigger()).toBe('failed');
    expect(await runner.trigger()).toBe('ran');
    expect(runs).toBe(2);
  });
});
