import type { ApiTokenRecord, ApiTokenStore } from './api-token-store';
import type { Executor } from './db';
import { toDate, toNullableDate, toNullableString } from './row-values';

type Row = Record<string, unknown>;

function toRecord(row: Row): ApiTokenRecord {
  return {
    id: String(row.id),
    name: toNullableString(row.name),
    scopes: String(row.scopes)
      .split(' ')
      .filter((s) => s !== ''),
    secretHash: String(row.secret_hash),
    createdAt: toDate(row.created_at),
    revokedAt: toNullableDate(row.revoked_at),
  };
}

export class KnexApiTokenStore implements ApiTokenStore {
  async insert(q: Executor, t: ApiTokenRecord): Promise<void> {
    await q('api_tokens').insert({
      id: t.id,
      name: t.name,
      scopes: t.scopes.join(' '),
      secret_hash: t.secretHash,
      created_at: t.createdAt,
      revoked_at: t.revokedAt,
    });
  }

  async find(q: Executor, id: string): Promise<ApiTokenRecord | null> {
    const row = await q<Row>('api_tokens').where({ id }).first();
    return row ? toRecord(row) : null;
  }

  async list(q: Executor): Promise<ApiTokenRecord[]> {
    const rows: Row[] = await q('api_tokens').orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'asc' },
    ]);
    return rows.map(toRecord);
  }

  async revoke(q: Executor, id: string, at: Date): Promise<boolean> {
    const changed = await q('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: at });
    return changed > 0;
  }
}
