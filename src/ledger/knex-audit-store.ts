import type { AuditEntry, AuditQuery, AuditStore, NewAuditEntry } from './audit-store';
import type { Executor } from './db';
import { parseJson, toDate, toNullableNumber, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;

function toEntry(row: Row): AuditEntry {
  return {
    id: toNumber(row.id),
    at: toDate(row.at),
    actor: String(row.actor),
    action: String(row.action),
    campaignId: toNullableString(row.campaign_id),
    subject: toNullableString(row.subject),
    fromVersion: toNullableNumber(row.from_version),
    toVersion: toNullableNumber(row.to_version),
    details: parseJson<Record<string, unknown>>(row.details),
  };
}

export class KnexAuditStore implements AuditStore {
  async append(q: Executor, e: NewAuditEntry): Promise<void> {
    await q('audit_log').insert({
      at: e.at,
      actor: e.actor,
      action: e.action,
      campaign_id: e.campaignId,
      subject: e.subject ?? null,
      from_version: e.fromVersion ?? null,
      to_version: e.toVersion ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    });
  }

  async list(q: Executor, query: AuditQuery = {}): Promise<AuditEntry[]> {
    let builder = q<Row>('audit_log')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100);
    if (query.campaignId !== undefined) builder = builder.where({ campaign_id: query.campaignId });
    const rows = await builder;
    return rows.map(toEntry);
  }
}
