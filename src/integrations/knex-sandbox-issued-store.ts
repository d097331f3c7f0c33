import type { Executor } from '../ledger/db';
import { toBool, toDate, toNullableString, toNumber } from '../ledger/row-values';
import type { IssuedPage } from './issuer';
import type { SandboxChannel, SandboxIssuedRecord, SandboxIssuedStore } from './sandbox-issued-store';

type Row = Record<string, unknown>;

function toRecord(row: Row): SandboxIssuedRecord {
  return {
    grantId: String(row.grant_id),
    campaignId: String(row.campaign_id),
    userId: String(row.user_id),
    rewardId: String(row.reward_id),
    type: String(row.reward_type),
    amount: toNumber(row.amount),
    currency: toNullableString(row.currency),
    businessDate: String(row.business_date),
    test: toBool(row.test),
    issuedAt: toDate(row.issued_at),
  };
}

/** Keyset cursor: the last (issuedAt, grantId) of the previous page. */
function encodeCursor(at: Date, grantId: string): string {
  return Buffer.from(JSON.stringify([at.getTime(), grantId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [Date, string] {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ms === 'number' && typeof id === 'string') return [new Date(ms), id];
  } catch {
    // fall through
  }
  throw new RangeError('invalid cursor');
}

export class KnexSandboxIssuedStore implements SandboxIssuedStore {
  async insert(q: Executor, r: SandboxIssuedRecord, channel: SandboxChannel = 'process'): Promise<boolean> {
    const inserted = await q('sandbox_issued')
      .insert({
        grant_id: r.grantId,
        campaign_id: r.campaignId,
        user_id: r.userId,
        reward_id: r.rewardId,
        reward_type: r.type,
        amount: r.amount,
        currency: r.currency,
        business_date: r.businessDate,
        test: r.test,
        issued_at: r.issuedAt,
        // null in process, as every row from before the column (and from an older build) is.
        channel: channel === 'http' ? 'http' : null,
      })
      .onConflict('grant_id')
      .ignore()
      .returning('grant_id');
    return (inserted as unknown[]).length > 0;
  }

  async get(q: Executor, grantId: string): Promise<SandboxIssuedRecord | null> {
    const row = await q<Row>('sandbox_issued').where({ grant_id: grantId }).first();
    return row ? toRecord(row) : null;
  }

  async page(
    q: Executor,
    query: { since: Date; until: Date; cursor: string | null; limit: number },
    channel: SandboxChannel = 'process',
  ): Promise<IssuedPage> {
    const builder = q<Row>('sandbox_issued')
      .where('issued_at', '>=', query.since)
      .andWhere('issued_at', '<', query.until);
    if (channel === 'http') builder.andWhere('channel', 'http');
    else builder.whereNull('channel');
    if (query.cursor !== null) {
      const [at, id] = decodeCursor(query.cursor);
      builder.andWhere((w) =>
        w
          .where('issued_at', '>', at)
          .orWhere((x) => x.where('issued_at', '=', at).andWhere('grant_id', '>', id)),
      );
    }
    const rows = await builder
      .orderBy([
        { column: 'issued_at', order: 'asc' },
        { column: 'grant_id', order: 'asc' },
      ])
      .limit(query.limit + 1);
    const records = rows.slice(0, query.limit).map(toRecord);
    const last = records[records.length - 1];
    return {
      records: records.map((r) => ({
        grantId: r.grantId,
        rewardId: r.rewardId,
        amount: r.amount,
        issuedAt: r.issuedAt,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.issuedAt, last.grantId) : null,
    };
  }
}
