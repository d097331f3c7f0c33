/** `pocket blocklist add|remove|list`: each change bumps the list's revision in the same transaction. */
import type { BlockEntry, BlockKind, BlocklistStore } from '../ledger/blocklist-store';
import type { Db } from '../ledger/db';
import { blockValue } from './block-subject';

const REASON = /^[^\p{Cc}]{1,200}$/u;

export class BlocklistService {
  constructor(private readonly deps: { db: Db; store: BlocklistStore; clock?: () => Date }) {}

  /** true when the entry is new (an existing one gets the new reason). */
  async add(kind: BlockKind, value: string, reason: string | null = null): Promise<boolean> {
    const canonical = blockValue(kind, value);
    if (reason !== null && !REASON.test(reason))
      throw new RangeError('--reason must be 1-200 printable characters');
    const entry: BlockEntry = {
      kind,
      value: canonical,
      reason,
      createdAt: this.deps.clock?.() ?? new Date(),
    };
    return this.deps.db.transaction(async (trx) => {
      const added = await this.deps.store.upsert(trx, entry);
      await this.deps.store.bumpRevision(trx);
      return added;
    });
  }

  async remove(kind: BlockKind, value: string): Promise<boolean> {
    const canonical = blockValue(kind, value);
    return this.deps.db.transaction(async (trx) => {
      const removed = await this.deps.store.remove(trx, kind, canonical);
      if (removed) await this.deps.store.bumpRevision(trx);
      return removed;
    });
  }

  list(): Promise<BlockEntry[]> {
    return this.deps.store.list(this.deps.db);
  }
}
