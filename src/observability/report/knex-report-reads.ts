/** ReportReads on PostgreSQL and SQLite: GROUP BY queries over participations, grants, outbox and reconciliation. */
import type { Knex } from 'knex';
import { isPostgres, type Executor } from '../../ledger/db';
import { exactSum, readExactSum } from '../../ledger/exact-sum';
import { toDate, toNullableDate, toNumber } from '../../ledger/row-values';
import type {
  GrantGroup,
  OutboxCounts,
  OutcomeCount,
  ReconciliationCounts,
  ReportReads,
  ReportWindow,
  TimeBucket,
} from './report-reads';
import type { ShiftPeriod } from './timeline-clock';

type Row = Record<string, unknown>;

function inWindow(query: Knex.QueryBuilder, window: ReportWindow, column: string): Knex.QueryBuilder {
  if (window.from) query.where(column, '>=', window.from);
  if (window.to) query.where(column, '<', window.to);
  return query;
}

/**
 * Bucket number of a timestamptz column: (epoch seconds + shift) / size, the shift that of the period holding
 * the row, latest first (SQLite keeps epoch milliseconds).
 */
function bucketOf(
  q: Executor,
  column: string,
  bucketSeconds: number,
  shifts: readonly ShiftPeriod[],
): Knex.Raw {
  const pg = isPostgres(q);
  const unit = pg ? 1 : 1000;
  // pg types a parameter of a CASE as text unless told: it is added to a number.
  const value = pg ? '?::integer' : '?';
  const [first, ...later] = shifts.length > 0 ? shifts : [{ since: 0, shift: 0 }];
  const newestFirst = later.reverse();
  const shift =
    newestFirst.length === 0
      ? value
      : `CASE ${newestFirst.map(() => `WHEN ${column} >= ? THEN ${value}`).join(' ')} ELSE ${value} END`;
  const bindings = [
    ...newestFirst.flatMap((p) => [new Date(p.since * 1000), p.shift * unit]),
    (first?.shift ?? 0) * unit,
    bucketSeconds * unit,
  ];
  return pg
    ? q.raw(`floor((extract(epoch from ${column}) + ${shift}) / ?)::bigint`, bindings)
    : q.raw(`((${column} + ${shift}) / ?)`, bindings);
}

const count = (v: unknown): number => (v === null || v === undefined ? 0 : toNumber(v));

export class KnexReportReads implements ReportReads {
  /**
   * A granted participation is a tester's when its grant is a test grant, whoever the testers are now: a tester
   * dropped from the list (or a user made one) keeps the grants they had, and the funnel must add up to them.
   * Only an answer without a grant is judged by the active version's list.
   */
  private participations(q: Executor, window: ReportWindow, testers: 'without' | 'only'): Knex.QueryBuilder {
    const query = inWindow(q('participations').where('campaign_id', window.campaignId), window, 'created_at');
    const testGrants = q('grants').select('id').where({ campaign_id: window.campaignId, test: true });
    const listed = [...window.testers];
    if (testers === 'only') {
      return query.where((w) =>
        w
          .whereIn('grant_id', testGrants)
          .orWhere((none) => none.whereNull('grant_id').whereIn('user_id', listed)),
      );
    }
    return query.where((w) =>
      w
        .where((granted) => granted.whereNotNull('grant_id').whereNotIn('grant_id', testGrants))
        .orWhere((none) => none.whereNull('grant_id').whereNotIn('user_id', listed)),
    );
  }

  private realGrants(q: Executor, window: ReportWindow, test = false): Knex.QueryBuilder {
    return inWindow(q('grants').where({ campaign_id: window.campaignId, test }), window, 'created_at');
  }

  async outcomes(q: Executor, window: ReportWindow): Promise<OutcomeCount[]> {
    const rows = (await this.participations(q, window, 'without')
      .select('outcome', q.raw('CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END AS eligible'))
      .count({ n: '*' })
      .groupBy('outcome', q.raw('CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END'))) as Row[];
    return rows.map((r) => ({
      outcome: String(r.outcome),
      eligible: count(r.eligible) === 1,
      count: count(r.n),
    }));
  }

  async testerParticipations(q: Executor, window: ReportWindow): Promise<number> {
    const row = (await this.participations(q, window, 'only').count({ n: '*' }).first()) as Row | undefined;
    return count(row?.n);
  }

  async grants(q: Executor, window: ReportWindow): Promise<GrantGroup[]> {
    const rows = (await this.realGrants(q, window)
      .select('segment_id', 'reward_id', 'reward_type', 'status')
      .select(...exactSum(q, 'charge', 'spend'), ...exactSum(q, 'amount', 'amount'))
      .select(q.raw('SUM(CASE WHEN delivered_at IS NULL THEN 0 ELSE 1 END) AS delivered'))
      .count({ n: '*' })
      .groupBy('segment_id', 'reward_id', 'reward_type', 'status')) as Row[];
    return rows.map((r) => ({
      segmentId: r.segment_id === null || r.segment_id === undefined ? null : String(r.segment_id),
      rewardId: String(r.reward_id),
      rewardType: String(r.reward_type),
      status: String(r.status),
      grants: count(r.n),
      delivered: count(r.delivered),
      spend: readExactSum(r, 'spend'),
      amount: readExactSum(r, 'amount'),
    }));
  }

  async testGrants(q: Executor, window: ReportWindow): Promise<number> {
    const row = (await this.realGrants(q, window, true).count({ n: '*' }).first()) as Row | undefined;
    return count(row?.n);
  }

  async span(q: Executor, window: ReportWindow): Promise<{ first: Date; last: Date } | null> {
    const row = (await this.participations(q, window, 'without')
      .min({ first: 'created_at' })
      .max({ last: 'created_at' })
      .first()) as Row | undefined;
    if (row?.first === null || row?.first === undefined) return null;
    return { first: toDate(row.first), last: toDate(row.last) };
  }

  async timeline(
    q: Executor,
    window: ReportWindow,
    bucketSeconds: number,
    shifts: readonly ShiftPeriod[] = [],
  ): Promise<TimeBucket[]> {
    // One after the other: `q` may be the report's snapshot transaction, one connection (report-service.ts).
    const participations = (await this.participations(q, window, 'without')
      .select(bucketOf(q, 'created_at', bucketSeconds, shifts).wrap('(', ') AS bucket'))
      .count({ n: '*' })
      .groupBy('bucket')) as Row[];
    const grants = (await this.realGrants(q, window)
      .whereNot('status', 'void')
      .select(bucketOf(q, 'created_at', bucketSeconds, shifts).wrap('(', ') AS bucket'))
      .select(...exactSum(q, 'charge', 'spend'))
      .count({ n: '*' })
      .groupBy('bucket')) as Row[];
    const buckets = new Map<number, TimeBucket>();
    const at = (b: unknown): TimeBucket => {
      const bucket = Math.floor(count(b));
      const existing = buckets.get(bucket) ?? { bucket, participations: 0, grants: 0, spend: 0n };
      buckets.set(bucket, existing);
      return existing;
    };
    for (const r of participations) at(r.bucket).participations += count(r.n);
    for (const r of grants) {
      const b = at(r.bucket);
      b.grants += count(r.n);
      b.spend += readExactSum(r, 'spend');
    }
    return [...buckets.values()].sort((a, b) => a.bucket - b.bucket);
  }

  async outbox(q: Executor, campaignId: string): Promise<OutboxCounts> {
    const row = (await q('outbox')
      .join('grants', 'grants.id', 'outbox.grant_id')
      .where('grants.campaign_id', campaignId)
      .select(
        q.raw("SUM(CASE WHEN outbox.status = 'pending' THEN 1 ELSE 0 END) AS pending"),
        q.raw("SUM(CASE WHEN outbox.status = 'dead' THEN 1 ELSE 0 END) AS dead"),
        q.raw("MIN(CASE WHEN outbox.status = 'pending' THEN outbox.created_at END) AS oldest"),
      )
      .first()) as Row | undefined;
    return {
      pending: count(row?.pending),
      dead: count(row?.dead),
      oldestPendingAt: toNullableDate(row?.oldest),
    };
  }

  async reconciliation(q: Executor, window: ReportWindow): Promise<ReconciliationCounts> {
    const openRows = (await q('discrepancies')
      .where({ campaign_id: window.campaignId, status: 'open' })
      .select('kind')
      .count({ n: '*' })
      .groupBy('kind')) as Row[];
    // Resolved in the range: by when they were resolved, whenever they were found.
    const resolved = (await inWindow(
      q('discrepancies').where({ campaign_id: window.campaignId, status: 'resolved' }),
      window,
      'resolved_at',
    )
      .count({ n: '*' })
      .first()) as Row | undefined;
    const last = async (kind: string): Promise<ReconciliationCounts['lastRealtime']> => {
      const row = (await q('reconcile_runs')
        .where({ kind })
        .andWhere((w) => w.where('campaign_id', window.campaignId).orWhereNull('campaign_id'))
        .orderBy('started_at', 'desc')
        .first('status', 'started_at', 'finished_at')) as Row | undefined;
      return row
        ? {
            status: String(row.status),
            startedAt: toDate(row.started_at),
            finishedAt: toNullableDate(row.finished_at),
          }
        : null;
    };
    return {
      openByKind: Object.fromEntries(openRows.map((r) => [String(r.kind), count(r.n)])),
      resolvedInRange: count(resolved?.n),
      lastRealtime: await last('realtime'),
      lastOffline: await last('offline'),
    };
  }

  async openDiscrepancies(
    q: Executor,
  ): Promise<Array<{ campaignId: string | null; kind: string; count: number }>> {
    const rows = (await q('discrepancies')
      .where({ status: 'open' })
      .select('campaign_id', 'kind')
      .count({ n: '*' })
      .groupBy('campaign_id', 'kind')) as Row[];
    return rows.map((r) => ({
      campaignId: r.campaign_id === null || r.campaign_id === undefined ? null : String(r.campaign_id),
      kind: String(r.kind),
      count: count(r.n),
    }));
  }
}
