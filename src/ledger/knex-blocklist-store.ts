import type { BlockEntry, BlockKind, BlocklistStore } from './blocklist-store';
import type { Executor } from './db';
import { toDate, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;
const REVISION = 'blocklist';

export class KnexBlocklistStore implements BlocklistStore {
  async upsert(q: Executor, e: BlockEntry): Promise<boolean> {
    const existing = await q('blocklist').where({ kind: e.kind, value: e.value }).first();
    if (existing) {
      await q('blocklist').where({ kind: e.kind, value: e.value }).update({ reason: e.reason });
      return false;
    }
    const inserted: unknown[] = await q('blocklist')
      .insert({ kind: e.kind, value: e.value, reason: e.reason, created_at: e.createdAt })
      .onConflict(['kind', 'value'])
      .ignore()
      .returning('kind');
    return inserted.length > 0;
  }

  async remove(q: Executor, kind: BlockKind, value: string): Promise<boolean> {
    return (await q('blocklist').where({ kind, value }).delete()) > 0;
  }

  async list(q: Executor): Promise<BlockEntry[]> {
    const rows: Row[] = await q('blocklist').orderBy(['kind', 'value']);
    return rows.map((r) => ({
      kind: String(r.kind) as BlockKind,
      value: String(r.value),
      reason: toNullableString(r.reason),
      createdAt: toDate(r.created_at),
    }));
  }

  async bumpRevision(q: Executor): Promise<void> {
    await q('protection_revisions')
      .insert({ name: REVISION, revision: 1 })
      .onConflict('name')
      .merge({ revision: q.raw('protection_revisions.revision + 1') });
  }

  async revision(q: Executor): Promise<number> {
    const row = await q<Row>('protection_revisions').where({ name: REVISION }).first();
    return row ? toNumber(row.revision) : 0;
  }
}
