import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Executor } from '../ledger/db';
import {
  parseJson,
  rawRows,
  toBool,
  toDate,
  toNullableDate,
  toNullableNumber,
  toNullableString,
} from '../ledger/row-values';
import type {
  Discrepancy,
  DiscrepancyFilter,
  DiscrepancyKind,
  DiscrepancyStatus,
  DiscrepancyStore,
  ListedDiscrepancy,
  NewDiscrepancy,
} from './discrepancy-store';
import { budgetCharge } from './money-at-stake';
import { sameDifference } from './same-difference';

type Row = Record<string, unknown>;

function toDiscrepancy(row: Row): Discrepancy {
  return {
    id: String(row.id),
    runId: toNullableString(row.run_id),
    kind: String(row.kind) as DiscrepancyKind,
    campaignId: toNullableString(row.campaign_id),
    grantId: toNullableString(row.grant_id),
    details: parseJson<Record<string, unknown>>(row.details) ?? {},
    status: String(row.status) as DiscrepancyStatus,
    resolution: toNullableString(row.resolution),
    createdAt: toDate(row.created_at),
    resolvedAt: toNullableDate(row.resolved_at),
    resolvedBy: toNullableString(row.resolved_by),
  };
}

export class KnexDiscrepancyStore implements DiscrepancyStore {
  async record(q: Executor, d: NewDiscrepancy): Promise<{ discrepancy: Discrepancy; created: boolean }> {
    const existing = () =>
      d.grantId === null
        ? Promise.resolve(undefined)
        : q<Row>('discrepancies').where({ kind: d.kind, grant_id: d.grantId, status: 'open' }).first();
    const open = await existing();
    if (open) return { discrepancy: toDiscrepancy(open), created: false };
    const closed = d.status === 'open' ? await this.closedByHand(q, d) : undefined;
    if (closed) return { discrepancy: closed, created: false };
    const row: Row = {
      id: randomUUID(),
      run_id: d.runId,
      kind: d.kind,
      campaign_id: d.campaignId,
      grant_id: d.grantId,
      details: JSON.stringify(d.details),
      status: d.status,
      resolution: d.resolution ?? null,
      created_at: d.createdAt,
      resolved_at: d.status === 'resolved' ? d.createdAt : null,
      resolved_by: null,
    };
    const columns = Object.keys(row);
    // ON CONFLICT against the partial unique index: a parallel run that recorded the same open discrepancy
    // first wins, without aborting the caller's transaction.
    const result = await q.raw(
      `INSERT INTO discrepancies (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (kind, grant_id) WHERE status = 'open' AND grant_id IS NOT NULL DO NOTHING RETURNING id`,
      columns.map((c) => row[c] as Knex.Value),
    );
    const inserted = rawRows(result);
    if (inserted.length === 0) {
      const winner = await existing();
      if (winner) return { discrepancy: toDiscrepancy(winner), created: false };
    }
    return { discrepancy: toDiscrepancy(row), created: true };
  }

  /** The latest discrepancy of this grant and kind, when a person resolved it and it has the same details. */
  private async closedByHand(q: Executor, d: NewDiscrepancy): Promise<Discrepancy | undefined> {
    if (d.grantId === null) return undefined;
    const latest = await q<Row>('discrepancies')
      .where({ kind: d.kind, grant_id: d.grantId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (!latest || latest.resolved_by === null || latest.resolved_by === undefined) return undefined;
    const closed = toDiscrepancy(latest);
    return sameDifference(closed.details, d.details) ? closed : undefined;
  }

  async get(q: Executor, id: string): Promise<Discrepancy | undefined> {
    const row = await q<Row>('discrepancies').where({ id }).first();
    return row ? toDiscrepancy(row) : undefined;
  }

  async resolve(
    q: Executor,
    id: string,
    at: Date,
    resolution: string,
    resolvedBy: string | null = null,
  ): Promise<boolean> {
    const changed = await q('discrepancies')
      .where({ id, status: 'open' })
      .update({ status: 'resolved', resolved_at: at, resolution, resolved_by: resolvedBy });
    return changed > 0;
  }

  async list(q: Executor, filter: DiscrepancyFilter = {}): Promise<ListedDiscrepancy[]> {
    const builder = q<Row>('discrepancies')
      .leftJoin('grants', 'grants.id', 'discrepancies.grant_id')
      .select('discrepancies.*', {
        grant_charge: 'grants.charge',
        grant_currency: 'grants.currency',
        grant_test: 'grants.test',
      });
    const d = (column: string): string => `discrepancies.${column}`;
    if (filter.status !== undefined) builder.where(d('status'), filter.status);
    if (filter.kinds !== undefined) builder.whereIn(d('kind'), [...filter.kinds]);
    if (filter.campaignId !== undefined) builder.where(d('campaign_id'), filter.campaignId);
    if (filter.grantId !== undefined) builder.where(d('grant_id'), filter.grantId);
    if (filter.runId !== undefined) builder.where(d('run_id'), filter.runId);
    const rows = await builder.orderBy([
      { column: d('created_at'), order: 'asc' },
      { column: d('id'), order: 'asc' },
    ]);
    return rows.map((row) => {
      const charge = toNullableNumber(row.grant_charge);
      return {
        ...toDiscrepancy(row),
        charge: charge === null ? null : budgetCharge({ charge, test: toBool(row.grant_test) }),
        currency: charge === null ? null : toNullableString(row.grant_currency),
      };
    });
  }
}
