/**
 * One scheduled job: a turn is skipped while the previous run is still going, and when this instance does not
 * hold the scheduler lease (asked afresh at each turn, so an instance that lost it silently stops at once).
 */
import type { Logger } from '../observability/logger';

export type JobTurn = 'ran' | 'skipped_busy' | 'skipped_not_leader' | 'failed';

export class JobRunner {
  private running = false;
  private current: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly job: () => Promise<unknown>,
    private readonly options: {
      leader: () => Promise<boolean>;
      logger: Logger;
      /** `result`: what the job returned, or for a 'failed' turn why it failed. */
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
    try {
      if (!(await this.options.leader())) return this.finish('skipped_not_leader');
      const result = await this.job();
      return this.finish('ran', result);
    } catch (err) {
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
    this.options.onTurn?.(turn, result);
    return turn;
  }
}
