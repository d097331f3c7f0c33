import type { RangeCounter } from './campaign-counters';
import { freeLength } from './campaign-counters';
import type { Range } from './hot-state';

/** Where a charge would go: inside released range `index`, or from the top (index -1). */
export interface RangePlan {
  start: number;
  index: number;
}

/**
 * In-memory budget (total, or one business date): the cumulative offset handed out plus released ranges below it,
 * sorted by start, non-overlapping, adjacent ones merged.
 */
export class RangePool {
  private top: number;
  private readonly free: Array<[number, number]>;
  private freeSum: number;

  constructor(counter: RangeCounter = { top: 0, free: [] }) {
    this.top = counter.top;
    this.free = counter.free.map(([s, e]) => [s, e]);
    this.freeSum = freeLength(counter.free);
  }

  get spent(): number {
    return this.top - this.freeSum;
  }

  /** First fit among the lowest `scan` released ranges, else [top, top + charge) while it stays <= limit. */
  plan(charge: number, limit: number, scan: number): RangePlan | null {
    const inspected = Math.min(scan, this.free.length);
    for (let index = 0; index < inspected; index += 1) {
      const [start, end] = this.free[index] as [number, number];
      if (end - start >= charge && start + charge <= limit) return { start, index };
    }
    return this.top + charge <= limit ? { start: this.top, index: -1 } : null;
  }

  /** Takes what `plan` returned (nothing may run in between); the rest of a released range stays released. */
  take(plan: RangePlan, charge: number): Range {
    if (plan.index === -1) {
      this.top += charge;
    } else {
      const range = this.free[plan.index] as [number, number];
      if (range[1] - range[0] === charge) this.free.splice(plan.index, 1);
      else range[0] += charge;
      this.freeSum -= charge;
    }
    return [plan.start, plan.start + charge];
  }

  /** Gives [start, end) back: lowers the top (past released ranges under it) or keeps it released, merged. */
  give(start: number, end: number): void {
    if (start >= end || end > this.top) return;
    if (end === this.top) {
      this.top = start;
      const last = this.free[this.free.length - 1];
      if (last !== undefined && last[1] === this.top) {
        this.free.pop();
        this.freeSum -= last[1] - last[0];
        this.top = last[0];
      }
      return;
    }
    this.freeSum += end - start;
    let at = this.free.findIndex(([s]) => s > start);
    if (at === -1) at = this.free.length;
    const prev = this.free[at - 1];
    const next = this.free[at];
    if (prev !== undefined && prev[1] === start) {
      prev[1] = end;
      if (next !== undefined && next[0] === end) {
        prev[1] = next[1];
        this.free.splice(at, 1);
      }
    } else if (next !== undefined && next[0] === end) {
      next[0] = start;
    } else {
      this.free.splice(at, 0, [start, end]);
    }
  }

  snapshot(): RangeCounter {
    return { top: this.top, free: this.free.map(([s, e]) => [s, e] as const) };
  }
}
