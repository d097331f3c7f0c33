/**
 * PostgreSQL: granted participations written by ONE statement (participations, then the fenced grants, then
 * the outbox entries) instead of BEGIN + three INSERTs + COMMIT each. That is one round trip and one
 * implicit transaction for the whole batch, so a pooled connection is held for a single commit.
 *
 * The statement's text is the same for any number of writes: each column travels as one array parameter and
 * unnest() turns the arrays back into rows, so it runs as a prepared statement (pg-prepared.ts), parsed once
 * per connection.
 *
 * The data-modifying CTEs form a chain, participation → grant → outbox: each joins the rows the one before
 * returned. For a single write, a violation therefore comes from the same constraint as in the three-statement
 * transaction and is classified the same way (classifyFenceViolation). Foreign keys are checked at the end of
 * the statement. Any error the server answers rolls the whole statement (every write in it) back.
 * Per-user sequence numbers come from one call of grants_next_seqs for the batch, from the grants committed
 * before the statement, so two grants of one user in one batch collide on the unique index, as two parallel
 * transactions would.
 */
import { grantColumns, type Value } from './grant-insert-statement';
import type { NewGrant } from './grant-store';
import { participationRow } from './knex-participation-store';
import type { NewOutboxEntry } from './outbox-store';
import type { ParticipationRecord } from './participation-store';
import type { PreparedStatement } from './pg-prepared';

export interface GrantWrite {
  participation: ParticipationRecord;
  grant: NewGrant;
  /** null: nothing to deliver (a consolation). */
  outbox: NewOutboxEntry | null;
}

type Column = [name: string, value: Value, type: string];

/** The PostgreSQL type of each participations column participationRow writes. */
const PARTICIPATION_TYPES: Record<keyof ReturnType<typeof participationRow>, string> = {
  id: 'text',
  campaign_id: 'text',
  user_id: 'text',
  idem_key: 'text',
  request_hash: 'text',
  campaign_version: 'integer',
  outcome: 'text',
  reason: 'text',
  status_code: 'integer',
  response: 'text',
  grant_id: 'text',
  business_date: 'text',
  segment_id: 'text',
  client_id: 'text',
  code_nonce: 'text',
  decision: 'text',
  created_at: 'timestamptz',
};

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

/** A write of each kind, only for the column names and types (they never depend on the values). */
const SAMPLE_AT = new Date(0);
const SAMPLE_PARTICIPATION: Column[] = Object.entries(PARTICIPATION_TYPES).map(([name, type]) => [
  name,
  null,
  type,
]);
const SAMPLE_GRANT = grantColumns({
  id: '',
  participationId: '',
  reservationId: null,
  campaignId: '',
  campaignVersion: 0,
  userId: '',
  rewardId: '',
  rewardType: '',
  segmentId: null,
  amount: 0,
  charge: 0,
  currency: null,
  businessDate: '',
  test: false,
  createdAt: SAMPLE_AT,
  fences: {
    stockSlot: null,
    stockLimit: null,
    budgetRange: null,
    budgetLimit: null,
    dailyRange: null,
    dailyLimit: null,
    userLimit: null,
    dailyUserLimit: null,
  },
});
const SAMPLE_OUTBOX = outboxColumns({ id: '', grantId: '', kind: '', payload: {}, createdAt: SAMPLE_AT });

function statementText(): string {
  let n = 0;
  const names = (columns: readonly Column[]): string => columns.map(([name]) => name).join(', ');
  // The rows of one table as one typed array parameter per column, turned back into rows by unnest().
  const rows = (alias: string, columns: readonly Column[], extra = ''): string =>
    `unnest(${columns.map(([, , type]) => `$${++n}::${type}[]`).join(', ')})${extra ? ' WITH ORDINALITY' : ''} ` +
    `AS ${alias} (${names(columns)}${extra})`;
  const grantNames = names(SAMPLE_GRANT);
  const participations = rows('r', SAMPLE_PARTICIPATION);
  const grantParam = (column: string): string =>
    `$${n + 1 + SAMPLE_GRANT.findIndex(([name]) => name === column)}`;
  // The grants' per-user numbers: one call for the whole batch (migration 20261126000200), row i for grant i.
  const seqs = `grants_next_seqs(${[
    'campaign_id',
    'user_id',
    'business_date',
    'user_limit',
    'daily_user_limit',
  ]
    .map(grantParam)
    .join(', ')})`;
  const grants = rows('v', SAMPLE_GRANT, ', i');
  return (
    `WITH new_participation AS (INSERT INTO participations (${names(SAMPLE_PARTICIPATION)}) ` +
    `SELECT r.* FROM ${participations} RETURNING id), ` +
    `new_grant AS (INSERT INTO grants (${grantNames}, user_seq, daily_seq) ` +
    `SELECT ${SAMPLE_GRANT.map(([name]) => `v.${name}`).join(', ')}, s.next_user_seq, s.next_daily_seq ` +
    `FROM ${grants} JOIN ${seqs} s ON s.i = v.i ` +
    'JOIN new_participation p ON p.id = v.participation_id RETURNING id) ' +
    `INSERT INTO outbox (${names(SAMPLE_OUTBOX)}) SELECT o.* FROM ${rows('o', SAMPLE_OUTBOX)} ` +
    'JOIN new_grant g ON g.id = o.grant_id'
  );
}

/** Prepared, and planned per call (see pg-prepared.ts). */
export const GRANT_WRITE: PreparedStatement = { name: 'pocket_grant_write_v1', text: statementText() };

/** Column-wise values: one array per column of `sample`, one element per row. */
function columnArrays(sample: readonly Column[], rows: ReadonlyArray<readonly Column[]>): Value[][] {
  const arrays: Value[][] = sample.map(() => new Array<Value>(rows.length));
  rows.forEach((row, r) => {
    row.forEach(([name, value], c) => {
      const array = arrays[c];
      if (!array || sample[c]?.[0] !== name) throw new Error(`grant write: unexpected column ${name}`);
      array[r] = value;
    });
  });
  return arrays;
}

/** The parameters of GRANT_WRITE for `writes` (at least one). */
export function grantWriteValues(writes: readonly GrantWrite[]): Value[][] {
  if (writes.length === 0) throw new RangeError('grantWriteValues needs at least one write');
  const participations = writes.map((w): Column[] => {
    const row = participationRow(w.participation);
    return SAMPLE_PARTICIPATION.map(([name, , type]) => [name, row[name as keyof typeof row] ?? null, type]);
  });
  const outbox = writes.flatMap((w) => (w.outbox ? [outboxColumns(w.outbox)] : []));
  return [
    ...columnArrays(SAMPLE_PARTICIPATION, participations),
    ...columnArrays(
      SAMPLE_GRANT,
      writes.map((w) => grantColumns(w.grant)),
    ),
    ...columnArrays(SAMPLE_OUTBOX, outbox),
  ];
}
