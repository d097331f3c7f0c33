/**
 * Times the steps of one participation: `lap(step)` charges the time since the previous lap to `step` (a step
 * met twice, like a retried reserve, adds up). Steps are named in pipeline order; a request that stops early
 * simply has fewer of them.
 */
import { performance } from 'node:perf_hooks';

export const PIPELINE_STEPS = [
  'idempotency',
  'pin',
  'live',
  'rate_limit',
  'authorize',
  'lock',
  'facts',
  'fraud',
  'segment',
  /** The recommendation service's scores (efficiency campaigns, when RECOMMEND_URL is set). */
  'recommend',
  'choice',
  'reserve',
  'ledger',
  'store',
  'unlock',
  /** Recording the decision trace (traced requests only). */
  'trace',
] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export class StepTimer {
  private readonly started: number;
  private last: number;
  private readonly spent = new Map<PipelineStep, number>();

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
    this.last = this.started;
  }

  lap(step: PipelineStep): void {
    const at = this.now();
    this.spent.set(step, (this.spent.get(step) ?? 0) + (at - this.last));
    this.last = at;
  }

  /** Milliseconds per step met so far, in pipeline order, rounded to microseconds. */
  steps(): Partial<Record<PipelineStep, number>> {
    const out: Partial<Record<PipelineStep, number>> = {};
    for (const step of PIPELINE_STEPS) {
      const ms = this.spent.get(step);
      if (ms !== undefined) out[step] = Math.round(ms * 1000) / 1000;
    }
    return out;
  }

  /** Milliseconds since the timer started. */
  elapsed(): number {
    return Math.round((this.now() - this.started) * 1000) / 1000;
  }
}
