import { createLogger, silentLogger } from '../../../src/observability/logger';

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

describe('job scheduler: a turn that fires late', () => {
  afterEach(() => jest.useRealTimers());

  // node-cron drops a turn whose timer fires more than about a second after its time (an event loop blocked
  // by a GC pause or a busy service process, a VM paused, a clock stepped by NTP): the daily offline
  // reconciliation skipped a whole day with a console line outside the JSON log. A late turn now runs.
  it('runs the job late rather than skipping it, and logs that it was late', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-11T10:00:50Z') });
    const keeper = new LeaseKeeper(lease, 'scheduler', 'me', 30_000);
    const warnings: Array<{ msg: string; job?: string }> = [];
    const logger = createLogger('warn', {
      write: (line: string) => void warnings.push(JSON.parse(line) as never),
    });
    let runs = 0;
    const scheduler = new JobScheduler(
      [{ name: 'offline-reconcile', cron: '* * * * *', run: async () => (runs += 1) }],
      keeper,
      logger,
    );
    scheduler.start();
    // The process stalls for 5 s just before 10:01:00; its timer fires when it is 10:01:05.
    jest.setSystemTime(new Date('2026-11-11T10:01:05Z'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(warnings).toEqual([
      expect.objectContaining({ msg: 'scheduled turn fired late: run now', job: 'offline-reconcile' }),
    ]);
    await scheduler.stop();
  });

  it('runs once for a stall that dropped many turns, with one warning', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-11T10:00:50Z') });
    const keeper = new LeaseKeeper(lease, 'scheduler', 'me', 30_000);
    const warnings: Array<{ msg: string }> = [];
    const logger = createLogger('warn', {
      write: (line: string) => void warnings.push(JSON.parse(line) as never),
    });
    let runs = 0;
    let finish = () => {};
    const scheduler = new JobScheduler(
      [
        {
          name: 'realtime-reconcile',
          cron: '* * * * *',
          run: () => {
            runs += 1;
            return new Promise<void>((resolve) => (finish = resolve));
          },
        },
      ],
      keeper,
      logger,
    );
    scheduler.start();
    // Asleep for an hour: sixty turns dropped at once.
    jest.setSystemTime(new Date('2026-11-11T11:01:05Z'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    expect(warnings.map((w) => w.msg)).toEqual(['scheduled turn fired late: run now']);
    finish();
    await scheduler.stop();
  });
});
