import type { Knex } from 'knex';
import type { UserCounters, CampaignCounters } from '../hot-state/hot-state';
import { queryCampaignCounters } from './campaign-counters-query';
import { withDeadline, type Executor } from './db';
import { exactSum, readExactSum } from './exact-sum';
import { fenceUnpositionedGrants, type FencedCounts, type FenceLimits } from './fence-unpositioned-grants';
import { grantInsertStatement } from './grant-insert-statement';
import { toGrantRecord } from './grant-row';
import type {
  CampaignGrantsFilter,
  CampaignUsage,
  GrantRecord,
  GrantStatus,
  GrantPosition,
  GrantStore,
  NewGrant,
  UserHistory,
} from './grant-store';
import { rawRows, toNullableNumber, toNumber } from './row-values';

type Row = Record<string, unknown>;

function returnedRow(result: unknown): Row {
  const row = rawRows(result)[0];
  if (!row) throw new Error('grant insert returned no row');
  return row;
}

/**
 * A page of grants in (created_at, id) order, `order` asc or desc, starting past `from` (keyset paging: a grant
 * made meanwhile lands before the first page or after the last, never shifting the others).
 */
function keysetPage(
  query: Knex.QueryBuilder<Row, Row[]>,
  order: 'asc' | 'desc',
  from: GrantPosition | undefined,
  limit: number,
): Promise<Row[]> {
  const past = order === 'asc' ? '>' : '<';
  if (from !== undefined) {
    query.andWhere((next) =>
      next
        .where('created_at', past, from.createdAt)
        .orWhere((same) => same.where('created_at', '=', from.createdAt).andWhere('id', past, from.id)),
    );
  }
  return query
    .orderBy([
      { column: 'created_at', order },
      { column: 'id', order },
    ])
    .limit(limit);
}

export class KnexGrantStore implements GrantStore {
  async insertWithFences(q: Executor, grant: NewGrant): Promise<GrantRecord> {
    const row = returnedRow(await grantInsertStatement(q, grant));
    return {
      ...grant,
      status: 'pending',
      userSeq: toNullableNumber(row.user_seq),
      dailySeq: toNullableNumber(row.daily_seq),
      updatedAt: grant.createdAt,
      deliveredAt: null,
      voidReason: null,
      voidedAt: null,
      voided: null,
      issuer: null,
    };
  }

  async listByUser(
    q: Executor,
    userId: string,
    opts: { campaignId?: string; limit: number; before?: GrantPosition },
  ): Promise<GrantRecord[]> {
    const query = q<Row>('grants').where({ user_id: userId });
    if (opts.campaignId !== undefined) query.andWhere({ campaign_id: opts.campaignId });
    return (await keysetPage(query, 'desc', opts.before, opts.limit)).map(toGrantRecord);
  }

  async listByCampaign(q: Executor, campaignId: string, opts: CampaignGrantsFilter): Promise<GrantRecord[]> {
    const query = q<Row>('grants').where({ campaign_id: campaignId });
    if (opts.from !== undefined) query.andWhere('created_at', '>=', opts.from);
    if (opts.to !== undefined) query.andWhere('created_at', '<', opts.to);
    if (opts.status !== undefined) query.andWhere({ status: opts.status });
    return (await keysetPage(query, 'asc', opts.after, opts.limit)).map(toGrantRecord);
  }

  async get(q: Executor, id: string): Promise<GrantRecord | null> {
    const row = await q<Row>('grants').where({ id }).first();
    return row ? toGrantRecord(row) : null;
  }

  async findByReservation(q: Executor, reservationId: string): Promise<GrantRecord | null> {
    const row = await q<Row>('grants').where({ reservation_id: reservationId }).first();
    return row ? toGrantRecord(row) : null;
  }

  async setStatus(
    q: Executor,
    id: string,
    status: Exclude<GrantStatus, 'void'>,
    at: Date,
    issuer?: string,
  ): Promise<boolean> {
    const changed = await q('grants')
      .where({ id })
      .whereNot({ status: 'void' })
      .update({
        status,
        updated_at: at,
        ...(status === 'delivered' ? { delivered_at: at } : {}),
        ...(issuer === undefined ? {} : { issuer }),
      });
    return changed > 0;
  }

  async markVoidIssued(q: Executor, id: string, at: Date, issuer: string): Promise<boolean> {
    const changed = await q('grants')
      .where({ id, status: 'void' })
      .update({ delivered_at: at, issuer, updated_at: at });
    return changed > 0;
  }

  async void(q: Executor, id: string, reason: string, at: Date): Promise<boolean> {
    // SET expressions read the row as it was, so the originals move to void_* in the same statement.
    const changed = await q('grants')
      .where({ id })
      .whereNot({ status: 'void' })
      .update({
        status: 'void',
        void_reason: reason,
        voided_at: at,
        updated_at: at,
        void_stock_slot: q.ref('stock_slot'),
        void_budget_start: q.ref('budget_start'),
        void_budget_end: q.ref('budget_end'),
        void_daily_start: q.ref('daily_start'),
        void_daily_end: q.ref('daily_end'),
        void_user_seq: q.ref('user_seq'),
        void_daily_seq: q.ref('daily_seq'),
        stock_slot: null,
        budget_start: null,
        budget_end: null,
        daily_start: null,
        daily_end: null,
        user_seq: null,
        daily_seq: null,
      });
    return changed > 0;
  }

  async history(
    q: Executor,
    campaignId: string,
    userId: string,
    businessDate: string,
    deadlineMs?: number,
  ): Promise<UserHistory> {
    const participations = await withDeadline(
      q('participations').where({ campaign_id: campaignId, user_id: userId }).count({ n: '*' }).first(),
      deadlineMs,
    );
    const rows: Row[] = await withDeadline(
      q('grants')
        .where({ campaign_id: campaignId, user_id: userId })
        .whereNot({ status: 'void' })
        .groupBy('reward_id')
        .select(
          'reward_id',
          q.raw('COUNT(*) AS n'),
          q.raw('SUM(CASE WHEN business_date = ? THEN 1 ELSE 0 END) AS today', [businessDate]),
        ),
      deadlineMs,
    );
    const rewards: Record<string, number> = {};
    let grants = 0;
    let grantsToday = 0;
    for (const r of rows) {
      const n = toNumber(r.n);
      rewards[String(r.reward_id)] = n;
      grants += n;
      grantsToday += toNumber(r.today);
    }
    return { participations: toNumber(participations?.n ?? 0), grants, grantsToday, rewards };
  }

  async userCounters(
    q: Executor,
    campaignId: string,
    userId: string,
    deadlineMs?: number,
  ): Promise<UserCounters> {
    const rows = await withDeadline(
      q<Row>('grants')
        .where({ campaign_id: campaignId, user_id: userId })
        .whereNot({ status: 'void' })
        .groupBy('business_date')
        .select('business_date')
        .count({ n: '*' }),
      deadlineMs,
    );
    const daily: Record<string, number> = {};
    let total = 0;
    for (const r of rows) {
      const n = toNumber(r.n);
      daily[String(r.business_date)] = n;
      total += n;
    }
    return { total, daily };
  }

  campaignCounters(q: Executor, campaignId: string): Promise<CampaignCounters> {
    return queryCampaignCounters(q, campaignId);
  }

  fenceUnpositioned(
    q: Executor,
    campaignId: string,
    limits: FenceLimits,
    today: string,
  ): Promise<FencedCounts> {
    return fenceUnpositionedGrants(q, campaignId, limits, today);
  }

  async usage(q: Executor, campaignId: string): Promise<CampaignUsage> {
    const real = () => q<Row>('grants').where({ campaign_id: campaignId, test: false });
    // By currency too, in the same scan: the currencies the grants were made in (usually one), void ones
    // included, which count for nothing else.
    const voided = q.raw("CASE WHEN status = 'void' THEN 1 ELSE 0 END");
    const byReward = await real()
      .groupBy('reward_id', 'currency', voided)
      .select('reward_id', 'currency', q.raw("CASE WHEN status = 'void' THEN 1 ELSE 0 END AS voided"))
      .count({ n: '*' })
      .select(...exactSum(q, 'charge', 'charge'));
    const byDate = await real()
      .whereNot({ status: 'void' })
      .groupBy('business_date')
      .select('business_date', ...exactSum(q, 'charge', 'charge'));
    const usage: CampaignUsage = { stockUsed: {}, spent: 0n, dailySpent: {}, grants: 0 };
    const currencies = new Set<string>();
    for (const r of byReward) {
      if (r.currency !== null && r.currency !== undefined) currencies.add(String(r.currency));
      if (toNumber(r.voided) === 1) continue;
      const n = toNumber(r.n);
      const reward = String(r.reward_id);
      usage.stockUsed[reward] = (usage.stockUsed[reward] ?? 0) + n;
      usage.grants += n;
      usage.spent += readExactSum(r, 'charge');
    }
    for (const r of byDate) usage.dailySpent[String(r.business_date)] = readExactSum(r, 'charge');
    if (currencies.size > 0) usage.currencies = [...currencies].sort();
    return usage;
  }
}
