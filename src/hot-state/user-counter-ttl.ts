import { HOT_STATE_DEFAULTS } from './hot-state-defaults';

/** How long a user's counts outlive the campaign's window (late reconciliation runs, clocks that disagree). */
export const USER_COUNTERS_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * How long a user's hot counts are kept after a write: until a day after the campaign's window ends, at most
 * the default (45 days) and at least that day. Past the window no participation reads them, so a one-day
 * flash sale's millions of per-user keys leave Redis a day after it ends instead of 45 days later. A republish
 * that extends the window is safe: a user whose counts expired early is held to the limit by the ledger's
 * per-user fence, which primes them again.
 */
export function userCountersTtlMs(windowEndMs: number, nowMs: number): number {
  const untilEnd = windowEndMs - nowMs + USER_COUNTERS_GRACE_MS;
  return Math.min(HOT_STATE_DEFAULTS.userTtlMs, Math.max(USER_COUNTERS_GRACE_MS, Math.ceil(untilEnd)));
}
