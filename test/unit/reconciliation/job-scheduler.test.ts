import { silentLogger } from '../../../src/observability/logger';
import { InvalidCronError, JobScheduler } from '../../../src/reconciliation/job-scheduler';
import type { Lease } from '../../../src/reconciliation/lease';
import { LeaseKeeper } from '../../../src/reconciliation/lease-keeper';

const lease: Lease = {
  acquire: async () => true,
  release: async () => undefined,
  close: async () => undefined,
};

describe('job scheduler', () => {
  it('refuses an invalid cron expression, naming the variable it came from', () => {
    const keeper = new LeaseKeeper(lease, 'scheduler', 'me', 30_000);
    const make = () =>
      new JobScheduler(
        [{ name: 'realtime-reconcile', cron: 'every minute', source: 'RECONCILE_CRON', run: async () => 0 }],
        keeper,
        silentLogger(),
      );
    expect(make).toThrow(InvalidCronError);
    expect(make).toThrow('RECONCILE_CRON: invalid cron expression "every minute"');
  });

  it('runs a job by name when it holds the lease, and knows no other', async () => {
    const keeper = new LeaseKeeper(lease, 'scheduler', 'me', 30_000);
    let runs = 0;
    const scheduler = new JobScheduler(
      [{ name: 'job', cron: '* * * * *', run: async () => (runs += 1) }],
      keeper,
      silentLogger(),
    );
    expect(await scheduler.trigger('job')).toBe('ran');
    expect(runs).toBe(1);
    expect(keeper.held()).toBe(true);
    expect(() => scheduler.trigger('other')).toThrow('no job named other');
    await scheduler.stop();
    expect(keeper.held()).toBe(false);
  });
});
