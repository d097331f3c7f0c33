import type { Executor } from './db';

export type OutboxStatus = 'pending' | 'done' | 'dead';

export interface NewOutboxEntry {
  id: string;
  /** One delivery per grant; the grant id is the issuer's idempotency key. */
  grantId: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  /** Defaults to createdAt. */
  nextAttemptAt?: Date;
}

export interface OutboxEntry extends Required<NewOutboxEntry> {
  status: OutboxStatus;
  attempts: number;
  lockedUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  updatedAt: Date;
}

export interface OutboxStore {
  insert(q: Executor, entry: NewOutboxEntry): Promise<void>;
  /** Pending entries due at `now` and not locked by a relay, oldest due first. */
  pending(q: Executor, limit: number, now?: Date): Promise<OutboxEntry[]>;
}
