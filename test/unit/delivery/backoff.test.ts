import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/delivery/backoff';

describe('backoff with full jitter', () => {
  const policy = { baseMs: 1000, capMs: 60_000, maxAttempts: 8 };

  it('doubles the ceiling per attempt up to the cap, and draws uniformly below it', () => {
    const almostOne = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, almostOne))).toEqual([
      999, 1999, 3999, 7999, 15999, 31999, 59999, 59999,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(1); // never 0: a retry is never due in the same instant
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000);
  });

  it('never exceeds the cap, even for huge attempt numbers', () => {
    expect(backoffDelay(10_000, policy, () => 0.999999)).toBeLessThan(policy.capMs);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(500);
  });

  it('defaults to base 1 s, cap 10 min, 12 attempts (the cap is reached before the last)', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, capMs: 600_000, maxAttempts: 12 });
    const ceilings = Array.from(
      { length: 11 },
      (_, i) => backoffDelay(i + 1, DEFAULT_BACKOFF, () => 0.999999) + 1,
    );
    expect(ceilings.at(-1)).toBe(600_000);
    expect(ceilings.reduce((a, b) => a + b, 0)).toBe(1_623_000);
  });
});
