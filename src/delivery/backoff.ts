/**
 * Retry policy of the relay: exponential backoff with full jitter (a uniform delay in [0, min(cap, base·2^(n-1))),
 * so that a recovering issuer is not hit by every retry at once), and a maximum number of attempts after which
 * the grant is dead-lettered. Defaults: base 1 s, cap 10 min, 12 attempts: the 11 pauses have ceilings 1 s, 2 s,
 * … 512 s, 600 s, so a grant is dead-lettered about 13.5 minutes (at most 27) after its first failure. With 8
 * attempts the cap would never be reached and a 2-minute issuer outage would dead-letter everything.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 10 * 60 * 1000, maxAttempts: 12 };

/**
 * The pause after the `attempt`-th failed attempt (1-based); `random` is uniform in [0, 1). At least 1 ms, so a
 * retried row is never due again within the same instant (and so never claimed twice by one drain).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return 1 + Math.floor(random() * (ceiling - 1));
}
