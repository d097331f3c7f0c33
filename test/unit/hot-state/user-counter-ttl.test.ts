import { HOT_STATE_DEFAULTS } from '../../../src/hot-state/hot-state-defaults';
import { USER_COUNTERS_GRACE_MS, userCountersTtlMs } from '../../../src/hot-state/user-counter-ttl';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = Date.parse('2026-11-11T10:00:00+08:00');

describe('userCountersTtlMs: how long a user hot counts outlive a write', () => {
  it('keeps them until a day after the window ends', () => {
    expect(USER_COUNTERS_GRACE_MS).toBe(DAY);
    expect(userCountersTtlMs(now + 14 * HOUR, now)).toBe(14 * HOUR + DAY);
  });

  it('never longer than the default 45 days, for a long or open-ended campaign', () => {
    expect(userCountersTtlMs(now + 365 * DAY, now)).toBe(HOT_STATE_DEFAULTS.userTtlMs);
    expect(HOT_STATE_DEFAULTS.userTtlMs).toBe(45 * DAY);
  });

  it('a day at least, for a write after the window (a prime by a late reconciliation or a void)', () => {
    expect(userCountersTtlMs(now - 30 * DAY, now)).toBe(DAY);
    expect(userCountersTtlMs(now, now)).toBe(DAY);
  });

  it('whole milliseconds, as PEXPIRE takes them', () => {
    expect(Number.isSafeInteger(userCountersTtlMs(now + 0.5, now))).toBe(true);
  });
});
