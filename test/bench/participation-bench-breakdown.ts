/**
 * `BENCH_BREAKDOWN=1 npm run bench:participation`: where a participation's wall time goes, measured inside the
 * service process. Every hot-state and ledger call is timed as the pipeline waits for it (for the ledger, the
 * wait for a batch included), every SQL statement and pool acquisition inside the ledger too, and every HTTP
 * request from its first byte to its last; "rest" is the request's time outside those waits (CPU, event
 * loop, HTTP). Requests overlap in time: the figures are per-request averages, not a CPU split.
 */
import type { RequestListener } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ParticipationLedger } from '../../src/participation/participation-ledger';
import type { HotState } from '../../src/hot-state/hot-state';
import type { Db } from '../../src/ledger/db';

interface Tally {
  calls: number;
  ms: number;
}

export class Breakdown {
  private readonly tallies = new Map<string, Tally>();
  private requests = 0;
  private requestMs = 0;
  private readonly loop = monitorEventLoopDelay({ resolution: 5 });

  constructor() {
    this.loop.enable();
  }

  private add(name: string, ms: number): void {
    const t = this.tallies.get(name) ?? { calls: 0, ms: 0 };
    t.calls += 1;
    t.ms += ms;
    this.tallies.set(name, t);
  }

  /** Times every method of the hot state (one Lua call each for RedisHotState). */
  hotState<T extends HotState>(state: T): T {
    return this.proxy('redis', state);
  }

  /** Times the ledger as the pipeline calls it (waits for a batch included). */
  ledger(ledger: ParticipationLedger): ParticipationLedger {
    return this.proxy('ledger', ledger);
  }

  private proxy<T extends object>(kind: string, state: T): T {
    return new Proxy(state, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return async (...args: unknown[]) => {
          const start = performance.now();
          try {
            return (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
          } finally {
            this.add(`${kind} ${prop}`, performance.now() - start);
          }
        };
      },
    });
  }

  /** Times every SQL statement by its verb and table (knex query events). */
  db(db: Db): void {
    const started = new Map<string, { name: string; at: number }>();
    const name = (sql: string): string => {
      const m = /^\s*(\w+)(?:.*?\b(?:into|from|update)\s+"?(\w+)"?)?/is.exec(sql);
      return `sql ${(m?.[1] ?? '?').toUpperCase()}${m?.[2] ? ` ${m[2]}` : ''}`;
    };
    db.on('query', (q: { __knexQueryUid: string; sql: string }) => {
      started.set(q.__knexQueryUid, { name: name(q.sql), at: performance.now() });
    });
    const done = (_r: unknown, q: { __knexQueryUid: string }): void => {
      const s = started.get(q.__knexQueryUid);
      if (!s) return;
      started.delete(q.__knexQueryUid);
      this.add(s.name, performance.now() - s.at);
    };
    db.on('query-response', done);
    db.on('query-error', done);
    const client = db.client as { acquireConnection(): Promise<unknown> };
    const acquire = client.acquireConnection.bind(client);
    client.acquireConnection = () => this.time('pool wait (acquire a connection)', acquire);
    // knex's own methods are read-only on the instance; they delegate to its context.
    const context = (db as unknown as { context: { transaction(...args: unknown[]): Promise<unknown> } })
      .context;
    const transaction = context.transaction.bind(context);
    context.transaction = (...args) =>
      typeof args[0] === 'function'
        ? this.time('sql transaction (whole)', () => transaction(...args))
        : transaction(...args);
  }

  private async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - start);
    }
  }

  /** Wraps the request handler: participations timed from the first byte read to the last byte written. */
  http(handler: RequestListener): RequestListener {
    return (req, res) => {
      if (req.method === 'POST') {
        const start = performance.now();
        res.once('finish', () => {
          this.requests += 1;
          this.requestMs += performance.now() - start;
        });
      }
      handler(req, res);
    };
  }

  report(): string {
    const n = Math.max(1, this.requests);
    const lag = (p: number): string => (this.loop.percentile(p) / 1e6).toFixed(1);
    const lines = [
      `event loop delay: mean ${(this.loop.mean / 1e6).toFixed(1)} ms, p50 ${lag(50)} ms, p99 ${lag(99)} ms`,
      `breakdown over ${this.requests} participations: ${(this.requestMs / n).toFixed(2)} ms per request in express`,
      `  ${'step'.padEnd(40)} ${'per request'.padStart(11)} ${'mean ms'.padStart(8)} ${'ms per request'.padStart(15)}`,
    ];
    // Hot-state and ledger calls are what the pipeline waits for, one after the other; the SQL statements and
    // pool waits happen inside the ledger calls (shared by a batch), so they are shown but not added up.
    const inside = (step: string): boolean => !/^(redis|ledger) /.test(step);
    let accounted = 0;
    const rows = [...this.tallies.entries()].sort(
      (a, b) => Number(inside(a[0])) - Number(inside(b[0])) || b[1].ms - a[1].ms,
    );
    for (const [step, t] of rows) {
      if (!inside(step)) accounted += t.ms / n;
      const label = inside(step) ? `  inside: ${step}` : step;
      lines.push(
        `  ${label.padEnd(40)} ${(t.calls / n).toFixed(2).padStart(11)} ` +
          `${(t.ms / t.calls).toFixed(2).padStart(8)} ${(t.ms / n).toFixed(2).padStart(15)}`,
      );
    }
    lines.push(
      `  ${'rest (CPU, event loop, HTTP)'.padEnd(62)} ${(this.requestMs / n - accounted).toFixed(2).padStart(15)}`,
    );
    return lines.join('\n');
  }
}
