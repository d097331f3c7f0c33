/**
 * Computes the campaign report from the ledger (the one place both `pocket report` and
 * `GET /admin/campaigns/{id}/report` get it from). The plan is the active version's; nothing is cached: the
 * dashboard polls a few times a minute, not per request. On PostgreSQL the reads share one REPEATABLE READ,
 * READ ONLY snapshot, one after another on its connection: read in parallel on the pool, a grant committed between
 * two of them was in the budget and not in the timeline, and under traffic the figures did not add up. SQLite has one connection, which a snapshot
 * would hold for the whole report while participations wait: there the reads queue between theirs as before.
 *
 * The snapshot holds a pooled connection for the whole report, and the dashboard asks for every campaign's on
 * each refresh of each open tab: so at most REPORTS_AT_ONCE reports run at once per process, the others wait
 * their turn (REPORTS_WAITING of them; beyond, 503 reports_busy at once), and the same report asked again while
 * one runs or waits shares its answer instead of taking a turn of its own.
 */
import { businessDate } from '../../decision/business-date';
import { ReportsBusyError, ValidationError } from '../../errors/app-error';
import type { CampaignVersionStore } from '../../ledger/campaign-version-store';
import { neverPublished } from '../../publishing/never-published';
import { isPostgres, type Db, type Executor } from '../../ledger/db';
import type { GrantStore } from '../../ledger/grant-store';
import { resolvedFromCanonical } from '../../definitions/resolve-campaign';
import { buildReport, timelineClock } from './build-report';
import type { CampaignReport } from './campaign-report';
import type { ReportReads, ReportWindow } from './report-reads';
import { BatchQueueFull, NaturalBatcher, type Settled } from '../../shared/natural-batcher';
import { SharedReads } from '../../shared/shared-reads';

/**
 * Reports computed at once per process, each holding a ledger connection while it runs (PostgreSQL): two of the
 * pool's ten, leaving eight to participations, which wait at most 2 s for one (LEDGER_WAIT_MS) before a 503.
 * All at once, one dashboard tab of 35 campaigns could take the whole pool where a report takes a second.
 */
export const REPORTS_AT_ONCE = 2;
/** Distinct reports that may wait for a turn; one more is refused at once with 503 reports_busy. */
export const REPORTS_WAITING = 16;

export interface ReportQuery {
  from?: Date | null;
  to?: Date | null;
}

export interface ReportServiceDeps {
  db: Db;
  versions: Pick<CampaignVersionStore, 'active' | 'activeHeads' | 'pauseState'>;
  grants: Pick<GrantStore, 'usage'>;
  reads: ReportReads;
  clock: () => Date;
}

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

type Job = () => Promise<CampaignReport>;

const settle = (job: Job): Promise<Settled<CampaignReport>> =>
  job().then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

export class ReportService {
  /** One report per turn, REPORTS_AT_ONCE turns at a time. */
  private readonly turns = new NaturalBatcher<Job, CampaignReport>((jobs) => Promise.all(jobs.map(settle)), {
    concurrency: REPORTS_AT_ONCE,
    maxBatch: 1,
    maxWaiting: REPORTS_WAITING,
  });
  /** The reports running or waiting, by campaign and range. */
  private readonly pending = new SharedReads<CampaignReport>();

  constructor(private readonly deps: ReportServiceDeps) {}

  report(campaignId: string, query: ReportQuery = {}): Promise<CampaignReport> {
    const from = query.from ?? null;
    const to = query.to ?? null;
    if (from && to && from.getTime() >= to.getTime()) {
      return Promise.reject(
        new ValidationError('invalid request', [{ path: 'from', message: 'must be before to' }]),
      );
    }
    const key = JSON.stringify([campaignId, from?.getTime() ?? null, to?.getTime() ?? null]);
    return this.pending.get(key, () =>
      this.turns
        .add(() => this.snapshot(campaignId, from, to))
        .catch((error: unknown) => {
          if (!(error instanceof BatchQueueFull)) throw error;
          throw new ReportsBusyError(
            `${REPORTS_AT_ONCE} reports are being computed and ${REPORTS_WAITING} wait for their turn; retry later`,
          );
        }),
    );
  }

  private async snapshot(campaignId: string, from: Date | null, to: Date | null): Promise<CampaignReport> {
    const { db } = this.deps;
    if (!isPostgres(db)) return this.read(db, campaignId, from, to);
    return db.transaction(async (trx) => {
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return this.read(trx, campaignId, from, to);
    });
  }

  private async read(
    db: Executor,
    campaignId: string,
    from: Date | null,
    to: Date | null,
  ): Promise<CampaignReport> {
    const { reads } = this.deps;
    const active = await this.deps.versions.active(db, campaignId);
    if (!active) throw await neverPublished(db, this.deps.versions, campaignId);
    const definition = resolvedFromCanonical(active.body).definition;
    const now = this.deps.clock();
    const window: ReportWindow = {
      campaignId,
      from,
      to,
      testers: (definition.testers ?? []).map((t) => t.userId),
    };
    // One read after another: on PostgreSQL they share the snapshot's one connection, where overlapping queries
    // only queue in pg (which pg 9 will refuse); SQLite has one connection anyway.
    const outcomes = await reads.outcomes(db, window);
    const grants = await reads.grants(db, window);
    const usage = await this.deps.grants.usage(db, campaignId);
    const outbox = await reads.outbox(db, campaignId);
    const reconciliation = await reads.reconciliation(db, window);
    const span = await reads.span(db, window);
    const testerParticipations = await reads.testerParticipations(db, window);
    const testGrants = await reads.testGrants(db, window);
    const pause = await this.deps.versions.pauseState(db, campaignId);
    const first = span ? epochSeconds(from ?? span.first) : null;
    const last = span
      ? epochSeconds(to ? new Date(Math.min(to.getTime() - 1, now.getTime())) : span.last)
      : null;
    // Hour and day buckets start on the campaign's local hours and days, on both sides of a DST change.
    const { bucketSeconds, shifts } =
      first !== null && last !== null
        ? timelineClock(first, last, definition.timezone)
        : { bucketSeconds: 60, shifts: [] };
    const buckets = span ? await reads.timeline(db, window, bucketSeconds, shifts) : [];
    return buildReport({
      definition,
      version: active.version,
      paused: pause.paused,
      range: { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
      now,
      today: businessDate(now, definition.timezone),
      outcomes,
      grants,
      usage,
      outbox,
      reconciliation,
      timeline: {
        bucketSeconds,
        shifts,
        buckets,
        first,
        last: last === null ? null : Math.max(first ?? last, last),
      },
      testers: { participations: testerParticipations, grants: testGrants },
    });
  }
}
