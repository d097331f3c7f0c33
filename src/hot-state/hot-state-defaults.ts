/** Tunables shared by both hot-state implementations, so that they behave the same. */
export const HOT_STATE_DEFAULTS = {
  /** Per-user counters expire this long after their last write (longer than any daily window + campaign). */
  userTtlMs: 45 * 24 * 60 * 60 * 1000,
  /** How many released budget ranges (lowest start first) a reserve inspects before taking from the top. */
  freeRangeScan: 32,
  /** Pause between two attempts at a busy user lock (plus up to the same again of jitter). */
  lockRetryMs: 10,
} as const;
