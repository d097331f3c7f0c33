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

/** One claim of one entry: which relay took it, and on which attempt (a later claim counts another). */
export interface OutboxClaim {
  id: string;
  relayId: string;
  attempts: number;
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
  /**
   * Right before a send: extends this claim to `now + leaseMs`, only while it is still this relay's claim (same
   * relay, same attempt, still pending) and has not run out at `now`. False: the claim may have lapsed or been
   * taken by another relay, and this relay must not send the entry.
   */
  renewClaim(q: Executor, claim: OutboxClaim, now: Date, leaseMs: number): Promise<boolean>;
  /**
   * Gives back a claimed entry this relay never sent (it is stopping): unclaimed (due again at once), and the
   * attempt the claim counted is uncounted; `at` is its updated_at. Only while the claim is still this relay's (same relay, same attempt).
   */
  release(q: Executor, claim: OutboxClaim, at: Date): Promise<boolean>;
  /** The delivery is done (or no longer needed); `note` is kept in last_error. */
  complete(q: Executor, id: string, at: Date, note?: string | null): Promise<boolean>;
  /**
   * The grant needs no delivery any more (voided, or found at the issuer by reconciliation): a pending or
   * dead-lettered entry becomes done, so it leaves the backlog and the dead-letter count. `note` is kept in
   * last_error. False when the entry was already done, or, with `unclaimedAt`, when a relay's claim holds it at
   * that time (its request may be at the issuer).
   */
  close(q: Executor, id: string, at: Date, note: string, options?: { unclaimedAt?: Date }): Promise<boolean>;
  /** Releases this relay's claim and schedules the next attempt. False when another relay holds it now. */
  retryLater(
    q: Executor,
    id: string,
    relayId: string,
    next: { at: Date; nextAttemptAt: Date; error: string },
  ): Promise<boolean>;
  /**
   * No more attempts: the relay gave up (dead letter) or the issuer refused. Only while the claim is still this
   * relay's (same relay, same attempt, still pending), run out or not: nobody else can have sent the entry since.
   * False when another relay has claimed it meanwhile (its request may be at the issuer) or it was settled.
   */
  deadLetter(q: Executor, claim: OutboxClaim, at: Date, error: string): Promise<boolean>;
  /** Delivers the grant again from scratch (offline reconciliation): pending, due now, attempts 0. */
  reset(q: Executor, grantId: string, at: Date): Promise<boolean>;
  /**
   * A person asked for a dead-lettered (or refused) delivery again (`pocket grants redeliver`): a dead entry
   * becomes pending, due at `at`, attempts 0, with the same grant id (the issuer's idempotency key). False when
   * the grant's entry is not dead.
   */
  redeliverDead(q: Executor, grantId: string, at: Date): Promise<boolean>;
  findByGrant(q: Executor, grantId: string): Promise<OutboxEntry | null>;
  stats(q: Executor, now: Date): Promise<OutboxStats>;
}
