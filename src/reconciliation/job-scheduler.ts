/** The cron side of the worker: node-cron fires each job's JobRunner; the lease decides who actually runs. */
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from '../observability/logger';
import type { StillLeader } from '../shared/still-leader';
import { JobRunner, type JobTurn } from './job-runner';
import type { LeaseKeeper } from './lease-keeper';
import { LedgerFailureStreak } from './ledger-failure-streak';

export interface ScheduledJob {
  name: string;
  /** node-cron expression. */
  cron: string;
  /** Where it comes from, for the error message (e.g. RECONCILE_CRON). */
  source?: string;
  /** `stillLeader`: asked between units of work; once false, the run stops at its next safe point (JobRunner). */
  run(stillLeader: StillLeader): Promise<unknown>;
}

export class InvalidCronError extends Error {}

export class JobScheduler {
  readonly runners = new Map<string, JobRunner>();
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly keeper: LeaseKeeper,
    private readonly logger: Logger,
    onTurn?: (job: string, turn: JobTurn, result?: unknown) => void,
    /** Gives the lease up for its TTL after this many job turns in a row failed on the ledger (LedgerFailureStreak). */
    ledgerFailures = new LedgerFailureStreak(),
  ) {
    const turned = (job: string, turn: JobTurn, result?: unknown): void => {
      if (ledgerFailures.record(turn, result)) {
        void keeper.stepDown(keeper.ttlMs, { job, reason: 'scheduled jobs keep failing on the ledger' });
      }
      onTurn?.(job, turn, result);
    };
    for (const job of jobs) {
      if (!validate(job.cron)) {
        throw new InvalidCronError(`${job.source ?? job.name}: invalid cron expression "${job.cron}"`);
      }
      this.runners.set(
        job.name,
        new JobRunner(job.name, (stillLeader) => job.run(stillLeader), {
          leader: () => keeper.confirm(),
          held: () => keeper.held(),
          logger,
          onTurn: (turn: JobTurn, result?: unknown) => turned(job.name, turn, result),
        }),
      );
    }
  }

  start(): void {
    if (this.tasks.length > 0) return;
    this.keeper.start();
    for (const job of this.jobs) {
      const runner = this.runners.get(job.name);
      if (!runner) continue;
      const task = schedule(job.cron, () => runner.trigger(), { name: `pocket:${job.name}`, unref: true });
      // node-cron drops a turn whose timer fired more than about a second late (an event loop blocked by a GC
      // pause or a busy service, a VM paused, a clock stepped): the daily offline reconciliation then skipped a
      // whole day, said only by a console line outside the JSON log. A late turn runs now instead; the other
      // turns the same stall dropped (a laptop asleep for hours drops hundreds) find it running and are ignored.
      task.on('execution:missed', (context) => {
        if (runner.busy) return;
        this.logger.warn(
          { job: job.name, due: context.date.toISOString() },
          'scheduled turn fired late: run now',
        );
        void runner.trigger();
      });
      this.tasks.push(task);
    }
    this.logger.info({ jobs: this.jobs.map((j) => `${j.name} (${j.cron})`) }, 'scheduler started');
  }

  /** Stops firing, waits for runs in progress, gives the lease up. */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.destroy()));
    this.tasks = [];
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
    await this.keeper.stop();
  }

  trigger(name: string): Promise<JobTurn> {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`no job named ${name}`);
    return runner.trigger();
  }
}
