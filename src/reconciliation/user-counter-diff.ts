/** Pure: per-user counts in the hot state vs ledger grants + live reservations of the same user. */
import type { Reservation, UserCounters } from '../hot-state/hot-state';

export interface UserDrift {
  userId: string;
  hot: UserCounters;
  expected: UserCounters;
}

/** The ledger's counts plus what the user's live reservations hold (the hot state counts them already). */
export function expectedUserCounters(
  ledger: UserCounters,
  reservations: readonly Reservation[],
  userId: string,
): UserCounters {
  const daily: Record<string, number> = { ...ledger.daily };
  let total = ledger.total;
  for (const r of reservations) {
    if (r.userId !== userId) continue;
    total += 1;
    daily[r.businessDate] = (daily[r.businessDate] ?? 0) + 1;
  }
  return { total, daily };
}

/** Equal when totals match and every business date with a non-zero count on either side matches. */
export function sameUserCounters(a: UserCounters, b: UserCounters): boolean {
  if (a.total !== b.total) return false;
  const dates = new Set([...Object.keys(a.daily), ...Object.keys(b.daily)]);
  return [...dates].every((d) => (a.daily[d] ?? 0) === (b.daily[d] ?? 0));
}
