import type { Executor } from '../ledger/db';
import { parseJson, toDate, toNullableDate, toNullableString, toNumber } from '../ledger/row-values';
import type { NotificationMessage } from './notifier';
import type { NotificationRecord, NotificationStatus, NotificationStore } from './notification-store';

type Row = Record<string, unknown>;

/** Events that belong to no campaign share this key, so that the unique occurrence still holds for them. */
const NO_CAMPAIGN = '*';

function toRecord(row: Row): NotificationRecord {
  const message = parseJson<NotificationMessage>(row.payload);
  if (!message) throw new TypeError('notification without payload');
  return {
    message,
    status: String(row.status) as NotificationStatus,
    attempts: toNumber(row.attempts),
    nextAttemptAt: toNullableDate(row.next_attempt_at),
    lastError: toNullableString(row.last_error),
    createdAt: toDate(row.created_at),
    sentAt: toNullableDate(row.sent_at),
  };
}

export class KnexNotificationStore implements NotificationStore {
  async claim(q: Executor, message: NotificationMessage, at: Date, leaseUntil: Date): Promise<boolean> {
    const inserted = await q('notifications')
      .insert({
        id: message.id,
        campaign_id: message.campaignId ?? NO_CAMPAIGN,
        event: message.event,
        occurrence: message.occurrence,
        payload: JSON.stringify(message),
        status: 'pending',
        attempts: 0,
        next_attempt_at: leaseUntil,
        created_at: at,
      })
      .onConflict(['campaign_id', 'event', 'occurrence'])
      .ignore()
      .returning('id');
    return (inserted as unknown[]).length > 0;
  }

  async update(
    q: Executor,
    id: string,
    change: {
      status: NotificationStatus;
      attempts: number;
      nextAttemptAt: Date | null;
      lastError: string | null;
      sentAt: Date | null;
    },
  ): Promise<void> {
    await q('notifications').where({ id }).update({
      status: change.status,
      attempts: change.attempts,
      next_attempt_at: change.nextAttemptAt,
      last_error: change.lastError,
      sent_at: change.sentAt,
    });
  }

  async takeDue(q: Executor, now: Date, limit: number, leaseUntil: Date): Promise<NotificationRecord[]> {
    const rows = await q<Row>('notifications')
      .where({ status: 'pending' })
      .andWhere('next_attempt_at', '<=', now)
      .orderBy([
        { column: 'next_attempt_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    const taken: NotificationRecord[] = [];
    for (const row of rows) {
      const won = await q('notifications')
        .where({ id: row.id, status: 'pending' })
        .andWhere('next_attempt_at', '<=', now)
        .update({ next_attempt_at: leaseUntil });
      if (won > 0) taken.push(toRecord({ ...row, next_attempt_at: leaseUntil }));
    }
    return taken;
  }

  async list(
    q: Executor,
    filter: { campaignId?: string; event?: string } = {},
  ): Promise<NotificationRecord[]> {
    const builder = q<Row>('notifications');
    if (filter.campaignId !== undefined) builder.where({ campaign_id: filter.campaignId });
    if (filter.event !== undefined) builder.where({ event: filter.event });
    const rows = await builder.orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
    return rows.map(toRecord);
  }
}
