/**
 * Counts this instance's answers per minute in memory and adds them to the ledger's request_stats every few
 * seconds (one upsert per minute bucket), where the worker's error-spike alert sums every instance. Health,
 * readiness and metrics probes are not counted. A failed flush keeps its counts for the next one, for up to
 * ten minutes.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../../ledger/db';
import type { Logger } from '../logger';
import type { RequestCounts } from './error-spike';
import type { RequestStatsStore } from './request-stats-store';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const KEEP_MS = 10 * 60_000;

export class RequestStatsRecorder {
  readonly instance = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private pending = new Map<number, RequestCounts>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { db: Db; store: RequestStatsStore; clock: () => Date; logger: Logger },
  ) {}

  record(status: number): void {
    const minute = Math.floor(this.deps.clock().getTime() / 60_000) * 60_000;
    const counts = this.pending.get(minute) ?? { total: 0, errors: 0, unavailable: 0 };
    counts.total += 1;
    if (status === 503) counts.unavailable += 1;
    else if (status >= 500) counts.errors += 1;
    this.pending.set(minute, counts);
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      if (!PROBES.has(req.path)) res.once('finish', () => this.record(res.statusCode));
      next();
    };
  }

  /** Writes what was counted since the last flush (one at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  start(intervalMs = 10_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const oldest = this.deps.clock().getTime() - KEEP_MS;
    for (const [minute, counts] of batch) {
      try {
        await this.deps.store.add(this.deps.db, new Date(minute), this.instance, counts);
      } catch (err) {
        if (minute < oldest) continue;
        const again = this.pending.get(minute) ?? { total: 0, errors: 0, unavailable: 0 };
        this.pending.set(minute, {
          total: again.total + counts.total,
          errors: again.errors + counts.errors,
          unavailable: again.unavailable + counts.unavailable,
        });
        this.deps.logger.warn({ err }, 'request stats not written; kept for the next flush');
      }
    }
  }
}
