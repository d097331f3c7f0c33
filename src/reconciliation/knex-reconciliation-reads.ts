import type { Executor } from '../ledger/db';
import { toGrantRecord } from '../ledger/grant-row';
import type { GrantRecord } from '../ledger/grant-store';
import type { DeliveredPageQuery, ReconciliationReads, UndeliveredPageQuery } from './reconciliation-reads';

type Row = Record<string, unknown>;

/** Bound parameters per IN (...) list, under SQLite's limit. */
const CHUNK = 500;

/**
 * One keyset page of grants in the given statuses whose `column` time lies in [since, until), by (column, id),
 * after the previous page's last grant.
 */
async function grantPage(
  q: Executor,
  statuses: readonly string[],
  column: 'delivered_at' | 'updated_at',
  query: {
    since: Date;
    until: Date;
    campaignId: string | null;
    after: { at: Date; id: string } | null;
    limit: number;
    createdBefore?: Date;
  },
): Promise<GrantRecord[]> {
  const builder = q<Row>('grants')
    .whereIn('status', statuses)
    .andWhere(column, '>=', query.since)
    .andWhere(column, '<', query.until);
  if (query.campaignId !== null) builder.andWhere({ campaign_id: query.campaignId });
  if (query.createdBefore !== undefined) builder.andWhere('created_at', '<', query.createdBefore);
  const after = query.after;
  if (after !== null) {
    builder.andWhere((w) =>
      w
        .where(column, '>', after.at)
        .orWhere((x) => x.where(column, '=', after.at).andWhere('id', '>', after.id)),
    );
  }
  const rows = await builder
    .orderBy([
      { column, order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(query.limit);
  return rows.map(toGrantRecord);
}

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

  deliveredGrants(q: Executor, query: DeliveredPageQuery): Promise<GrantRecord[]> {
    const { after, ...window } = query;
    const key = after === null ? null : { at: after.deliveredAt, id: after.id };
    return grantPage(q, ['delivered'], 'delivered_at', { ...window, after: key });
  }

  undeliveredGrants(q: Executor, query: UndeliveredPageQuery): Promise<GrantRecord[]> {
    const { after, ...window } = query;
    const key = after === null ? null : { at: after.updatedAt, id: after.id };
    return grantPage(q, ['failed', 'dead'], 'updated_at', { ...window, after: key });
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
