/**
 * PostgreSQL: granted participations written by ONE statement (participations, then the fenced grants, then
 * the outbox entries) instead of BEGIN + three INSERTs + COMMIT each. That is one round trip and one
 * implicit transaction for the whole batch, so a pooled connection is held for a single commit.
 *
 * The data-modifying CTEs form a chain, participation → grant → outbox: each joins the rows the one before
 * returned. For a single write, a violation therefore comes from the same constraint as in the three-statement
 * transaction and is classified the same way (classifyFenceViolation). Foreign keys are checked at the end of
 * the statement. Any error the server answers rolls the whole statement (every write in it) back.
 * Per-user sequence numbers are computed per row from the grants committed before the statement, so two
 * grants of one user in one batch collide on the unique index, as two parallel transactions would.
 */
import type { Knex } from 'knex';
import type { Executor } from './db';
import { grantColumns, nextSeq, type Value } from './grant-insert-statement';
import type { NewGrant } from './grant-store';
import { participationRow } from './knex-participation-store';
import type { NewOutboxEntry } from './outbox-store';
import type { ParticipationRecord } from './participation-store';

export interface GrantWrite {
  participation: ParticipationRecord;
  grant: NewGrant;
  /** null: nothing to deliver (a consolation). */
  outbox: NewOutboxEntry | null;
}

type Column = [name: string, value: Value, type: string];

/** [column, value, type]: the same row as KnexOutboxStore.insert writes. */
function outboxColumns(e: NewOutboxEntry): Column[] {
  return [
    ['id', e.id, 'text'],
    ['grant_id', e.grantId, 'text'],
    ['kind', e.kind, 'text'],
    ['payload', JSON.stringify(e.payload), 'text'],
    ['status', 'pending', 'text'],
    ['attempts', 0, 'integer'],
    ['next_attempt_at', e.nextAttemptAt ?? e.createdAt, 'timestamptz'],
    ['created_at', e.createdAt, 'timestamptz'],
    ['updated_at', e.createdAt, 'timestamptz'],
  ];
}

export function grantWriteStatement(q: Executor, writes: readonly GrantWrite[]): Knex.Raw {
  // Positional bindings, pushed in the order their placeholders appear in the text.
  const bindings: Value[] = [];
  const bind = (value: Value, type?: string): string => {
    bindings.push(value);
    return type ? `CAST(? AS ${type})` : '?';
  };
  const names = (columns: readonly Column[]): string => columns.map(([name]) => name).join(', ');
  // Typed values: a VALUES list that feeds a SELECT has no target columns to take its types from.
  const rows = (list: readonly Column[][]): string =>
    list.map((row) => `(${row.map(([, value, type]) => bind(value, type)).join(', ')})`).join(', ');

  const first = writes[0];
  if (!first) throw new RangeError('grantWriteStatement needs at least one write');
  const participationColumns = Object.keys(participationRow(first.participation));
  const grantNames = names(grantColumns(first.grant));
  const v = { campaignId: 'v.campaign_id', userId: 'v.user_id', businessDate: 'v.business_date' };

  let sql =
    `WITH new_participation AS (INSERT INTO participations (${participationColumns.join(', ')}) VALUES ` +
    writes
      .map(
        (w) =>
          `(${Object.values(participationRow(w.participation))
            .map((value) => bind(value))
            .join(', ')})`,
      )
      .join(', ') +
    ' RETURNING id), ';
  sql +=
    `new_grant AS (INSERT INTO grants (${grantNames}, user_seq, daily_seq) SELECT v.*, ` +
    `CASE WHEN v.user_limit IS NULL THEN NULL ELSE ${nextSeq('user_seq', false, v)} END, ` +
    `CASE WHEN v.daily_user_limit IS NULL THEN NULL ELSE ${nextSeq('daily_seq', true, v)} END ` +
    `FROM (VALUES ${rows(writes.map((w) => grantColumns(w.grant)))}) AS v (${grantNames}) ` +
    'JOIN new_participation p ON p.id = v.participation_id RETURNING id) ';
  const outbox = writes.flatMap((w) => (w.outbox ? [outboxColumns(w.outbox)] : []));
  const outboxNames = names(outbox[0] ?? []);
  sql +=
    outbox.length > 0
      ? `INSERT INTO outbox (${outboxNames}) SELECT o.* FROM (VALUES ${rows(outbox)}) AS o (${outboxNames}) ` +
        'JOIN new_grant g ON g.id = o.grant_id'
      : 'SELECT id FROM new_grant';
  return q.raw(sql, bindings);
}
