import type { Executor } from '../ledger/db';
import { toGrantRecord } from '../ledger/grant-row';
import type { GrantRecord } from '../ledger/grant-store';
import type { DeliveredPageQuery, ReconciliationReads, UndeliveredPageQuery } from './reconciliation-reads';

type Row = Record<string, unknown>;

/** Bound parameters per IN (...) list, under SQLite's limit. */
const CHUNK = 500;

export class KnexReconciliationReads implements ReconciliationReads {
  async recentUsers(q: Executor, campaignId: string, since: Date, limit: number): Promise<string[]> {
    const participants = q<Row>('participations')
      .where({ campaign_id: campaignId })
      .andWhere('created_at', '>=', since)
      .select('user_id', q.raw('created_at AS at'));
    const voided = q<Row>('grants')
      .where({ campaign_id: campaignId })
      .andWhere('voided_at', '>=', since)
      .select('user_id', q.raw('voided_at AS at'));
    const rows = await q
      .select('user_id')
      .max({ last: 'at' })
      .from(participants.unionAll(voided).as('recent'))
      .groupBy('user_id')
      .orderBy([
        { column: 'last', order: 'desc' },
        { column: 'user_id', order: 'asc' },
      ])
      .limit(limit);
    return (rows as Row[]).map((r) => String(r.user_id));
  }

  async deliveredGrants(q: Executor, query: DeliveredPageQuery): Promise<GrantRecord[]> {
    const builder = q<Row>('grants')
      .where({ status: 'delivered' })
      .andWhere('delivered_at', '>=', query.since)
      .andWhere('delivered_at', '<', query.until);
    if (query.campaignId !== null) builder.andWhere({ campaign_id: query.campaignId });
    const after = query.after;
    if (after !== null) {
      builder.andWhere((w) =>
        w
          .where('delivered_at', '>', after.deliveredAt)
          .orWhere((x) => x.where('delivered_at', '=', after.deliveredAt).andWhere('id', '>', after.id)),
      );
    }
    const rows = await builder
      .orderBy([
        { column: 'delivered_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(query.limit);
    return rows.map(toGrantRecord);
  }

  async undeliveredGrants(q: Executor, query: UndeliveredPageQuery): Promise<GrantRecord[]> {
    const builder = q<Row>('grants')
      .whereIn('status', ['failed', 'dead'])
      .andWhere('updated_at', '>=', query.since)
      .andWhere('updated_at', '<', query.until);
    if (query.campaignId !== null) builder.andWhere({ campaign_id: query.campaignId });
    const after = query.after;
    if (after !== null) {
      builder.andWhere((w) =>
        w
          .where('updated_at', '>', after.updatedAt)
          .orWhere((x) => x.where('updated_at', '=', after.updatedAt).andWhere('id', '>', after.id)),
      );
    }
    const rows = await builder
      .orderBy([
        { column: 'updated_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(query.limit);
    return rows.map(toGrantRecord);
  }

  async grantsByIds(q: Executor, ids: readonly string[]): Promise<GrantRecord[]> {
    const out: GrantRecord[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await q<Row>('grants').whereIn('id', ids.slice(i, i + CHUNK));
      out.push(...rows.map(toGrantRecord));
    }
    return out;
  }
}
