import type { Executor } from '../../ledger/db';
import type { RequestCounts } from './error-spike';

/** Per-minute request counts of every service instance, summed by the error-spike alert. */
export interface RequestStatsStore {
  /** Adds to the (minute, instance) row, creating it. */
  add(q: Executor, minute: Date, instance: string, counts: RequestCounts): Promise<void>;
  /** Sums every instance's rows with minute >= since. */
  since(q: Executor, since: Date): Promise<RequestCounts>;
  /** Deletes rows older than `before`. */
  prune(q: Executor, before: Date): Promise<number>;
}
