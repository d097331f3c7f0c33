/**
 * Compares one user's hot counts with the ledger's grants + the user's live reservations that have no grant,
 * and primes them when they differ. Under the user's own lock (the pipeline reserves, commits and confirms
 * under it), so the reads agree with each other and no reservation of that user slips in before the write.
 */
import { randomUUID } from 'node:crypto';
import type { HotState, Reservation, UserCounters } from '../hot-state/hot-state';
import { expectedUserCounters, sameUserCounters } from './user-counter-diff';

export type UserCheck =
  | { kind: 'same' }
  | { kind: 'primed'; hot: UserCounters; expected: UserCounters }
  /**
   * The hot state held no counts for the user (it lost them: a Redis or embedded restart) and they were loaded
   * from the ledger: a recovery, as the campaign counters' rebuild after a loss, not a drift.
   */
  | { kind: 'loaded'; expected: UserCounters }
  /** The user's lock stayed busy: try again on a later run. */
  | { kind: 'busy' };

export interface UserCheckOptions {
  lockTtlMs: number;
  lockWaitMs: number;
  /** Marks the lock's idempotency marker; any value unique to this check. */
  purpose: string;
  /** How long primed counts are kept (userCountersTtlMs of the campaign); absent: the hot state's default. */
  userTtlMs?: number;
}

/** What the check reads from the ledger. */
export interface UserLedger {
  userCounters(campaignId: string, userId: string): Promise<UserCounters>;
  /** Whether a grant was committed for this reservation (then the ledger counts it already). */
  hasGrant(reservationId: string): Promise<boolean>;
}

export async function checkUserCounters(
  hotState: HotState,
  ledger: UserLedger,
  campaignId: string,
  userId: string,
  options: UserCheckOptions,
): Promise<UserCheck> {
  const lock = {
    campaignId,
    userId,
    idempotencyKey: `${options.purpose}:${randomUUID()}`,
    requestHash: options.purpose,
    lockToken: randomUUID(),
  };
  const begun = await hotState.begin({
    ...lock,
    lockTtlMs: options.lockTtlMs,
    markerTtlMs: options.lockTtlMs,
    waitMs: options.lockWaitMs,
  });
  if (begun !== 'ok') return { kind: 'busy' };
  try {
    const held = await hotState.holdsUser(campaignId, userId);
    const hot = await hotState.readUser(campaignId, userId);
    const counted = await ledger.userCounters(campaignId, userId);
    // A reservation whose grant committed but whose confirm was lost is in the ledger already.
    const pending: Reservation[] = [];
    for (const r of await hotState.reservations(campaignId)) {
      if (r.userId === userId && !(await ledger.hasGrant(r.id))) pending.push(r);
    }
    const expected = expectedUserCounters(counted, pending, userId);
    if (sameUserCounters(hot, expected)) return { kind: 'same' };
    await hotState.primeUser(campaignId, userId, expected, options.userTtlMs);
    return held ? { kind: 'primed', hot, expected } : { kind: 'loaded', expected };
  } finally {
    await hotState.end({ ...lock, final: false, doneTtlMs: 1 }).catch(() => undefined);
  }
}
