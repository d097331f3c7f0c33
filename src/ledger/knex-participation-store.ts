import type { Knex } from 'knex';
import { isPostgres, withDeadline, type Executor } from './db';
import { runPrepared, type PreparedStatement } from './pg-prepared';
import type { ParticipationRecord, ParticipationStore } from './participation-store';
import { parseJson, rawRows, toDate, toNullableNumber, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;

function toParticipation(row: Row): ParticipationRecord {
  return {
    id: String(row.id),
    campaignId: String(row.campaign_id),
    userId: String(row.user_id),
    idemKey: String(row.idem_key),
    requestHash: String(row.request_hash),
    campaignVersion: toNullableNumber(row.campaign_version),
    outcome: String(row.outcome),
    reason: toNullableString(row.reason),
    statusCode: toNumber(row.status_code),
    response: String(row.response),
    grantId: toNullableString(row.grant_id),
    businessDate: toNullableString(row.business_date),
    segmentId: toNullableString(row.segment_id),
    clientId: toNullableString(row.client_id),
    codeNonce: toNullableString(row.code_nonce),
    decision: parseJson<Record<string, unknown>>(row.decision),
    createdAt: toDate(row.created_at),
  };
}

/** The participations row of a record (also written by the one-statement grant write). */
export function participationRow(p: ParticipationRecord): Record<string, string | number | Date | null> {
  return {
    id: p.id,
    campaign_id: p.campaignId,
    user_id: p.userId,
    idem_key: p.idemKey,
    request_hash: p.requestHash,
    campaign_version: p.campaignVersion,
    outcome: p.outcome,
    reason: p.reason,
    status_code: p.statusCode,
    response: p.response,
    grant_id: p.grantId,
    business_date: p.businessDate,
    segment_id: p.segmentId,
    client_id: p.clientId,
    code_nonce: p.codeNonce,
    decision: p.decision === null ? null : JSON.stringify(p.decision),
    created_at: p.createdAt,
  };
}

const COLUMNS =
  'id, campaign_id, user_id, idem_key, request_hash, campaign_version, outcome, reason, status_code, ' +
  'response, grant_id, business_date, segment_id, client_id, code_nonce, decision, created_at';

/**
 * PostgreSQL: the scopes as three arrays, one exact lookup on the scope's unique index per scope (a LATERAL
 * subquery with LIMIT is not flattened into a join, so the planner cannot factor the shared campaign out and
 * scan all of its participations). The text is the same for any number of scopes. It is planned per call, for
 * its own values (pg-prepared.ts: a plan kept from when the table was small used the campaign's index, a scan of
 * all its participations per scope).
 */
const SCOPE_LOOKUP: PreparedStatement = {
  name: 'pocket_scope_lookup_v1',
  plan: 'per-call',
  text:
    'SELECT p.* FROM unnest($1::text[], $2::text[], $3::text[]) AS s (campaign_id, user_id, idem_key) ' +
    `CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM participations ` +
    'WHERE campaign_id = s.campaign_id AND user_id = s.user_id AND idem_key = s.idem_key LIMIT 1) p',
};

export class KnexParticipationStore implements ParticipationStore {
  async findByScope(
    q: Executor,
    campaignId: string,
    userId: string,
    idemKey: string,
  ): Promise<ParticipationRecord | null> {
    const row = await q<Row>('participations')
      .where({ campaign_id: campaignId, user_id: userId, idem_key: idemKey })
      .first();
    return row ? toParticipation(row) : null;
  }

  async findByScopes(
    q: Executor,
    scopes: ReadonlyArray<readonly [campaignId: string, userId: string, idemKey: string]>,
  ): Promise<ParticipationRecord[]> {
    if (scopes.length === 0) return [];
    if (isPostgres(q) && !(q as Knex.Transaction).isTransaction) {
      const { rows } = await runPrepared<Row>(q as Knex, SCOPE_LOOKUP, [
        scopes.map((s) => s[0]),
        scopes.map((s) => s[1]),
        scopes.map((s) => s[2]),
      ]);
      return rows.map(toParticipation);
    }
    // One exact lookup on the scope's unique index per scope. (A row-value IN list lets the planner factor
    // out the campaign and scan all of its participations.)
    const one = `SELECT ${COLUMNS} FROM participations WHERE campaign_id = ? AND user_id = ? AND idem_key = ?`;
    const result: unknown = await q.raw(scopes.map(() => one).join(' UNION ALL '), scopes.flat());
    return rawRows(result).map(toParticipation);
  }

  async insert(q: Executor, p: ParticipationRecord, deadlineMs?: number): Promise<void> {
    await withDeadline(q('participations').insert(participationRow(p)), deadlineMs);
  }
}
