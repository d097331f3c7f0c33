/**
 * pocket's Prometheus metrics (prom-client), on a registry of their own (so several pockets in one test process
 * never clash), with the default process metrics. Counters and histograms are updated as things happen; the
 * state gauges (stock and budget remaining, delivery backlog and lag, open discrepancies) are read on scrape
 * from the hot state and the ledger through `StateSnapshots`, at most once per their `ttlMs` (5 s by default).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StateSnapshots } from './state-snapshots';

/** Seconds; from a cached answer (~1 ms) to a slow dependency's timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STEP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];

export class PocketMetrics {
  readonly registry = new Registry();

  readonly participations = new Counter({
    name: 'pocket_participations_total',
    help: 'Participations answered, by campaign, outcome class (granted, refused, forbidden, rejected, unavailable, error), reason code and whether a tester asked',
    labelNames: ['campaign', 'outcome', 'reason', 'test'] as const,
    registers: [this.registry],
  });

  readonly participationDuration = new Histogram({
    name: 'pocket_participation_duration_seconds',
    help: 'Time to answer a participation inside the service (validation to answer), by campaign and outcome class',
    labelNames: ['campaign', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly stepDuration = new Histogram({
    name: 'pocket_pipeline_step_duration_seconds',
    help: 'Time spent in each participation pipeline step',
    labelNames: ['step'] as const,
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'pocket_http_request_duration_seconds',
    help: 'Whole HTTP requests, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly grants = new Counter({
    name: 'pocket_grants_total',
    help: 'Grants committed to the ledger, by campaign, reward, reward type and whether a tester got it',
    labelNames: ['campaign', 'reward', 'type', 'test'] as const,
    registers: [this.registry],
  });

  readonly spend = new Counter({
    name: 'pocket_spend_minor_total',
    help: 'Budget charged by real (non-test) grants, in minor units, by campaign, reward and currency',
    labelNames: ['campaign', 'reward', 'currency'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'pocket_rate_limited_total',
    help: 'Participations refused by a rate limit (429), by campaign',
    labelNames: ['campaign'] as const,
    registers: [this.registry],
  });

  readonly fraudRejections = new Counter({
    name: 'pocket_fraud_rejections_total',
    help: 'Participations refused by anti-fraud or activity codes (403), by campaign and reason',
    labelNames: ['campaign', 'reason'] as const,
    registers: [this.registry],
  });

  readonly dependencyUnavailable = new Counter({
    name: 'pocket_dependency_unavailable_total',
    help: 'Participations answered 503 because a dependency failed (ledger, hot-state, profile, risk, recommendation…) or the counters were being rebuilt, by campaign and dependency',
    labelNames: ['campaign', 'dependency'] as const,
    registers: [this.registry],
  });

  readonly stockRemaining: Gauge<'campaign' | 'reward'>;
  readonly budgetRemaining: Gauge<'campaign' | 'scope'>;
  readonly deliveryBacklog: Gauge<'state'>;
  readonly deliveryLag: Gauge;
  readonly discrepancies: Gauge<'campaign' | 'kind'>;
  readonly scrapeErrors: Counter<'source'>;

  constructor(source: StateSnapshots | null, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const counted = new WeakSet<Promise<unknown>>();
    const errors = new Counter({
      name: 'pocket_metrics_state_errors_total',
      help: 'State reads that failed on scrape (hot state or ledger down); the gauges they feed are left out',
      labelNames: ['source'] as const,
      registers: [this.registry],
      // Settles this scrape's reads first, so a failure shows in the same scrape.
      collect: async () => {
        if (state) await Promise.allSettled([state.campaigns(), state.delivery(), state.discrepancies()]);
      },
    });
    this.scrapeErrors = errors;
    /** The sources, each failed read counted once (gauges share one cached read). */
    const watch =
      <T>(name: keyof StateSnapshots, read: () => Promise<T>) =>
      (): Promise<T> => {
        const result = read();
        if (!counted.has(result)) {
          counted.add(result);
          result.catch(() => errors.inc({ source: name }));
        }
        return result;
      };
    const state: StateSnapshots | null = source && {
      campaigns: watch('campaigns', () => source.campaigns()),
      delivery: watch('delivery', () => source.delivery()),
      discrepancies: watch('discrepancies', () => source.discrepancies()),
    };
    const fromState = <L extends string>(fill: (gauge: Gauge<L>) => Promise<void>) =>
      async function collect(this: Gauge<L>): Promise<void> {
        this.reset();
        if (state) await fill(this).catch(() => undefined);
      };
    this.stockRemaining = new Gauge({
      name: 'pocket_stock_remaining',
      help: 'Stock left per reward with a stock limit (hot state, reservations in flight count as used)',
      labelNames: ['campaign', 'reward'] as const,
      registers: [this.registry],
      collect: fromState(async (gauge) => {
        for (const c of (await state?.campaigns()) ?? []) {
          for (const [reward, left] of Object.entries(c.stockRemaining))
            gauge.set({ campaign: c.campaignId, reward }, left);
        }
      }),
    });
    this.budgetRemaining = new Gauge({
      name: 'pocket_budget_remaining_minor',
      help: 'Budget left in minor units, total and for the current business day (hot state)',
      labelNames: ['campaign', 'scope'] as const,
      registers: [this.registry],
      collect: fromState(async (gauge) => {
        for (const c of (await state?.campaigns()) ?? []) {
          if (c.budgetRemaining.total !== null)
            gauge.set({ campaign: c.campaignId, scope: 'total' }, c.budgetRemaining.total);
          if (c.budgetRemaining.daily !== null)
            gauge.set({ campaign: c.campaignId, scope: 'daily' }, c.budgetRemaining.daily);
        }
      }),
    });
    this.deliveryBacklog = new Gauge({
      name: 'pocket_delivery_backlog',
      help: 'Outbox entries by state: pending (waiting, due or not), due, in_flight (claimed by a relay), dead',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: fromState(async (gauge) => {
        const d = await state?.delivery();
        if (!d) return;
        for (const key of ['pending', 'due', 'in_flight', 'dead'] as const) gauge.set({ state: key }, d[key]);
      }),
    });
    this.deliveryLag = new Gauge({
      name: 'pocket_delivery_lag_seconds',
      help: 'Age of the oldest pending outbox entry: how far delivery lags behind granting',
      registers: [this.registry],
      collect: fromState(async (gauge) => {
        const d = await state?.delivery();
        if (d) gauge.set(d.lagSeconds);
      }),
    });
    this.discrepancies = new Gauge({
      name: 'pocket_reconciliation_discrepancies',
      help: 'Open reconciliation discrepancies (they need a person), by campaign and kind',
      labelNames: ['campaign', 'kind'] as const,
      registers: [this.registry],
      collect: fromState(async (gauge) => {
        for (const d of (await state?.discrepancies()) ?? [])
          // An issuer's record the ledger does not know (unknown_downstream) has no campaign: `(unknown)`, as for
          // the counters, rather than an empty label.
          gauge.set({ campaign: d.campaignId ?? '(unknown)', kind: d.kind }, d.count);
      }),
    });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
