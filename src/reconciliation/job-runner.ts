/**
 * One scheduled job: a turn is skipped while the previous run is still going, and when this instance does not
 * hold the scheduler lease (asked afresh at each turn, so an instance that lost it silently stops at once). A run
 * that started with the lease and lost it on the way (a stall, a partition from the lease's store, a step-down)
 * is told so by the StillLeader it is given, checked against `held()` (the local view, no round trip): it stops
 * at its next safe point and the turn is 'abandoned', for the new holder to run the job.
 */
import type { Logger } from '../observability/logger';
import { LeaseLostError, type StillLeader } from '../shared/still-leader';

export type JobTurn = 'ran' | 'skipped_busy' | 'skipped_not_leader' | 'abandoned' | 'failed';

export class JobRunner {
  private running = false;
  private current: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly job: (stillLeader: StillLeader) => Promise<unknown>,
    private readonly options: {
      leader: () => Promise<boolean>;
      /** Whether this instance still holds the lease, by its own view (LeaseKeeper.held): asked often, so cheap. */
      held: () => boolean;
      logger: Logger;
      /** `result`: what the job returned, or for a 'failed' or 'abandoned' turn why it ended. */
      onTurn?: (turn: JobTurn, result?: unknown) => void;
    },
  ) {}

  get busy(): boolean {
    return this.running;
  }

  /** Runs the job now unless it is already running here or another instance leads. */
  async trigger(): Promise<JobTurn> {
    if (this.running) return this.finish('skipped_busy');
    this.running = true;
    let done!: () => void;
    this.current = new Promise<void>((resolve) => (done = resolve));
    let lost = false;
    const stillLeader: StillLeader = () => {
      if (!lost && !this.options.held()) lost = true;
      return !lost;
    };
    try {
      if (!(await this.options.leader())) return this.finish('skipped_not_leader');
      const result = await this.job(stillLeader);
      return this.finish(lost ? 'abandoned' : 'ran', result);
    } catch (err) {
      if (err instanceof LeaseLostError) return this.finish('abandoned', err);
      this.options.logger.error({ err, job: this.name }, 'scheduled job failed');
      return this.finish('failed', err);
    } finally {
      this.running = false;
      done();
    }
  }

  /** Waits for the run in progress, if any. */
  idle(): Promise<unknown> {
    return this.current;
  }

  private finish(turn: JobTurn, result?: unknown): JobTurn {
    if (turn === 'skipped_busy')
      this.options.logger.info({ job: this.name }, 'previous run still going: turn skipped');
    if (turn === 'abandoned')
      this.options.logger.warn(
        { job: this.name },
        'scheduler lease lost: run stopped, left to the new holder',
      );
    this.options.onTurn?.(turn, result);
    return turn;
  }
}
