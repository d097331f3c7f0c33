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

/** Backlog and lag of the relay (DESIGN.md: delivery lag and backlog are queryable). */
export interface OutboxStats {
  /** Pending entries, due or not. */
  pending: number;
  /** Pending entries due now and not held by a relay. */
  due: number;
  /** Pending entries a relay holds right now. */
  inFlight: number;
  dead: number;
  /** created_at of the oldest pending entry; null when the backlog is empty. */
  oldestPendingAt: Date | null;
}

export interface ClaimOptions {
  relayId: string;
  limit: number;
  now: Date;
  /** The claim expires after this long, so entries of a relay that crashed are claimed again. */
  leaseMs: number;
}

export interface OutboxStore {
  insert(q: Executor, entry: NewOutboxEntry): Promise<void>;
  /** Pending entries due at `now` and not locked by a relay, oldest due first. */
  pending(q: Executor, limit: number, now?: Date): Promise<OutboxEntry[]>;
  /**
   * Takes up to `limit` due entries for one relay in one statement: locks them until now + leaseMs and counts
   * the attempt. On PostgreSQL the candidates are chosen FOR UPDATE SKIP LOCKED, so parallel relays never
   * take the same entry; on SQLite the statement itself is atomic (one writer).
   */
  claim(q: Executor, options: ClaimOptions): Promise<OutboxEntry[]>;
  /** The delivery is done (or no longer needed); `note` is kept in last_error. */
  complete(q: Executor, id: string, at: Date, note?: string | null): Promise<boolean>;
  /** Releases this relay's claim and schedules the next attempt. False when another relay holds it now. */
  retryLater(
    q: Executor,
    id: string,
    relayId: string,
    next: { at: Date; nextAttemptAt: Date; error: string },
  ): Promise<boolean>;
  /** No more attempts: the relay gave up (dead letter) or the issuer refused. */
  deadLetter(q: Executor, id: string, at: Date, error: string): Promise<boolean>;
  /** Delivers the grant again from scratch (offline reconciliation): pending, due now, attempts 0. */
  reset(q: Executor, grantId: string, at: Date): Promise<boolean>;
  findByGrant(q: Executor, grantId: string): Promise<OutboxEntry | null>;
  stats(q: Executor, now: Date): Promise<OutboxStats>;
}
