/**
 * Keeps an outage from flooding the log. Background work that fails while a dependency is down (reconnect
 * attempts, the registry poll, counter rebuilds, knex's connection errors) fails the same way every second or
 * on every query; the first failure is what the on-call engineer needs, then a reminder now and then with how
 * many were left out. A message that differs (another campaign, another error) passes at once.
 */
import type { Logger } from './logger';

export interface RepeatFilterOptions {
  /** The same message passes at most once per this long. Default 60,000 ms. */
  everyMs?: number;
  now?: () => number;
  /** How many distinct messages are remembered; more starts afresh. Default 100. */
  maxKeys?: number;
}

export class RepeatFilter {
  private readonly seen = new Map<string, { at: number; leftOut: number }>();
  private readonly everyMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(options: RepeatFilterOptions = {}) {
    this.everyMs = options.everyMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100;
  }

  /** null: drop this one; otherwise it passes, and this many of the same were left out since the last one. */
  pass(key: string): number | null {
    const at = this.now();
    const last = this.seen.get(key);
    if (last && at - last.at < this.everyMs) {
      last.leftOut++;
      return null;
    }
    if (!last && this.seen.size >= this.maxKeys) this.seen.clear();
    this.seen.set(key, { at, leftOut: 0 });
    return last?.leftOut ?? 0;
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * A warn-level logger for one recurring failure: `msg` with `err` and `fields`, the same error (and fields) at
 * most once a minute, with `leftOut` when some were dropped.
 */
export function repeatLimitedWarn(
  logger: Logger,
  msg: string,
  options: RepeatFilterOptions = {},
): (err: unknown, fields?: Record<string, unknown>) => void {
  const filter = new RepeatFilter(options);
  return (err, fields = {}) => {
    const leftOut = filter.pass(`${messageOf(err)}\n${JSON.stringify(fields)}`);
    if (leftOut === null) return;
    logger.warn({ err, ...fields, ...(leftOut > 0 ? { leftOut } : {}) }, msg);
  };
}
