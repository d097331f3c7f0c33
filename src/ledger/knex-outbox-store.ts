import type { Executor } from './db';
import type { NewOutboxEntry, OutboxEntry, OutboxStatus, OutboxStore } from './outbox-store';
import { parseJson, toDate, toNullableDate, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;

function toEntry(row: Row): OutboxEntry {
  return {
    id: String(row.id),
    grantId: String(row.grant_id),
    kind: String(row.kind),
    payload: parseJson<Record<string, unknown>>(row.payload) ?? {},
    status: String(row.status) as OutboxStatus,
    attempts: toNumber(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    lockedUntil: toNullableDate(row.locked_until),
    lockedBy: toNullableString(row.locked_by),
    lastError: toNullableString(row.last_error),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class KnexOutboxStore implements OutboxStore {
  async insert(q: Executor, e: NewOutboxEntry): Promise<void> {
    await q('outbox').insert({
      id: e.id,
      grant_id: e.grantId,
      kind: e.kind,
      payload: JSON.stringify(e.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: e.nextAttemptAt ?? e.createdAt,
      created_at: e.createdAt,
      updated_at: e.createdAt,
    });
  }

  async pending(q: Executor, limit: number, now = new Date()): Promise<OutboxEntry[]> {
    const rows = await q<Row>('outbox')
      .where({ status: 'pending' })
      .andWhere('next_attempt_at', '<=', now)
      .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', now))
      .orderBy([
        { column: 'next_attempt_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toEntry);
  }
}
