import type { Executor } from './db';
import { isPostgres } from './db';
import type {
  ClaimOptions,
  NewOutboxEntry,
  OutboxClaim,
  OutboxEntry,
  OutboxStats,
  OutboxStatus,
  OutboxStore,
} from './outbox-store';
import { parseJson, rawRows, toDate, toNullableDate, toNullableString, toNumber } from './row-values';

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

  async claim(q: Executor, o: ClaimOptions): Promise<OutboxEntry[]> {
    const lockedUntil = new Date(o.now.getTime() + o.leaseMs);
    // One statement: choosing and locking cannot interleave with another relay. PostgreSQL skips the rows
    // another relay is choosing right now; SQLite runs one writer at a time anyway. The choice is a
    // MATERIALIZED CTE, run once: as an IN (subquery) PostgreSQL may rescan it for every outer row, and each
    // rescan skips the rows this statement has just updated, so LIMIT stopped bounding the claim.
    const skipLocked = isPostgres(q) ? ' FOR UPDATE SKIP LOCKED' : '';
    const result = await q.raw(
      `WITH chosen AS MATERIALIZED (
         SELECT id FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
         ORDER BY next_attempt_at, id LIMIT ?${skipLocked})
       UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (SELECT id FROM chosen)
       AND status = 'pending' AND (locked_until IS NULL OR locked_until <= ?)
       RETURNING *`,
      [o.now, o.now, o.limit, o.relayId, lockedUntil, o.now, o.now],
    );
    return rawRows(result)
      .map(toEntry)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  async renewClaim(q: Executor, claim: OutboxClaim, now: Date, leaseMs: number): Promise<boolean> {
    // One conditional UPDATE: a claim that ran out at `now` is never extended, even when nobody has taken the
    // row yet, so a send happens only inside a claim that was unbroken from the batch's claim to the renewal.
    const changed = await q('outbox')
      .where({ id: claim.id, status: 'pending', locked_by: claim.relayId, attempts: claim.attempts })
      .andWhere('locked_until', '>', now)
      .update({ locked_until: new Date(now.getTime() + leaseMs), updated_at: now });
    return changed > 0;
  }

  async release(q: Executor, claim: OutboxClaim, at: Date): Promise<boolean> {
    const changed = await q('outbox')
      .where({ id: claim.id, status: 'pending', locked_by: claim.relayId, attempts: claim.attempts })
      .update({
        locked_by: null,
        locked_until: null,
        attempts: Math.max(0, claim.attempts - 1),
        updated_at: at,
      });
    return changed > 0;
  }

  async complete(q: Executor, id: string, at: Date, note: string | null = null): Promise<boolean> {
    const changed = await q('outbox')
      .where({ id, status: 'pending' })
      .update({ status: 'done', locked_by: null, locked_until: null, last_error: note, updated_at: at });
    return changed > 0;
  }

  async close(
    q: Executor,
    id: string,
    at: Date,
    note: string,
    options: { unclaimedAt?: Date } = {},
  ): Promise<boolean> {
    const builder = q('outbox').where({ id }).whereIn('status', ['pending', 'dead']);
    const { unclaimedAt } = options;
    if (unclaimedAt !== undefined)
      builder.andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', unclaimedAt));
    const changed = await builder.update({
      status: 'done',
      locked_by: null,
      locked_until: null,
      last_error: note,
      updated_at: at,
    });
    return changed > 0;
  }

  async retryLater(
    q: Executor,
    id: string,
    relayId: string,
    next: { at: Date; nextAttemptAt: Date; error: string },
  ): Promise<boolean> {
    const changed = await q('outbox').where({ id, status: 'pending', locked_by: relayId }).update({
      locked_by: null,
      locked_until: null,
      next_attempt_at: next.nextAttemptAt,
      last_error: next.error,
      updated_at: next.at,
    });
    return changed > 0;
  }

  async deadLetter(q: Executor, claim: OutboxClaim, at: Date, error: string): Promise<boolean> {
    // A claim that ran out still counts while nobody took it: any other claim changes locked_by and attempts.
    const changed = await q('outbox')
      .where({ id: claim.id, status: 'pending', locked_by: claim.relayId, attempts: claim.attempts })
      .update({ status: 'dead', locked_by: null, locked_until: null, last_error: error, updated_at: at });
    return changed > 0;
  }

  reset(q: Executor, grantId: string, at: Date): Promise<boolean> {
    return this.requeue(q, { grant_id: grantId }, at);
  }

  redeliverDead(q: Executor, grantId: string, at: Date): Promise<boolean> {
    return this.requeue(q, { grant_id: grantId, status: 'dead' }, at);
  }

  /** The matching entry pending again, due at `at`, attempts and claim cleared. */
  private async requeue(q: Executor, where: Record<string, string>, at: Date): Promise<boolean> {
    const changed = await q('outbox').where(where).update({
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      locked_by: null,
      locked_until: null,
      last_error: null,
      updated_at: at,
    });
    return changed > 0;
  }

  async findByGrant(q: Executor, grantId: string): Promise<OutboxEntry | null> {
    const row = await q<Row>('outbox').where({ grant_id: grantId }).first();
    return row ? toEntry(row) : null;
  }

  async stats(q: Executor, now: Date): Promise<OutboxStats> {
    const row = (await q('outbox')
      .select(
        q.raw("SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending"),
        q.raw(
          "SUM(CASE WHEN status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?) THEN 1 ELSE 0 END) AS due",
          [now, now],
        ),
        q.raw("SUM(CASE WHEN status = 'pending' AND locked_until > ? THEN 1 ELSE 0 END) AS in_flight", [now]),
        q.raw("SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead"),
        q.raw("MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest"),
      )
      .first()) as Row | undefined;
    const count = (v: unknown): number => (v === null || v === undefined ? 0 : toNumber(v));
    return {
      pending: count(row?.pending),
      due: count(row?.due),
      inFlight: count(row?.in_flight),
      dead: count(row?.dead),
      oldestPendingAt: toNullableDate(row?.oldest),
    };
  }
}
