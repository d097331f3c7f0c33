import type { Executor } from './db';

export type BlockKind = 'user' | 'device' | 'ip';

export interface BlockEntry {
  kind: BlockKind;
  value: string;
  reason: string | null;
  createdAt: Date;
}

export interface BlocklistStore {
  /** Adds or updates (the reason) an entry; true when it was new. */
  upsert(q: Executor, entry: BlockEntry): Promise<boolean>;
  /** false when there was no such entry. */
  remove(q: Executor, kind: BlockKind, value: string): Promise<boolean>;
  /** Every entry, by kind then value. */
  list(q: Executor): Promise<BlockEntry[]>;
  /** Increments the list's revision (call in the same transaction as a change). */
  bumpRevision(q: Executor): Promise<void>;
  /** The current revision; 0 before the first change. */
  revision(q: Executor): Promise<number>;
}
