import type { Range, Reservation, ReserveLimits } from '../hot-state/hot-state';

/**
 * What a grant carries so that the ledger itself refuses over-issue: the positions taken by the hot-state
 * reserve (slot, ranges) with the limits they must stay under, and the per-user limits under which the
 * ledger derives its own sequence numbers. null = not counted (no such limit, consolation, tester).
 */
export interface GrantFences {
  stockSlot: number | null;
  stockLimit: number | null;
  budgetRange: Range | null;
  budgetLimit: number | null;
  dailyRange: Range | null;
  dailyLimit: number | null;
  userLimit: number | null;
  dailyUserLimit: number | null;
}

/** The fences of a grant made from a reservation under the version snapshot's limits. */
export function grantFences(reservation: Reservation | null, limits: ReserveLimits): GrantFences {
  const slot = reservation?.stockSlot ?? null;
  const budget = reservation?.budgetRange ?? null;
  const daily = reservation?.dailyRange ?? null;
  return {
    stockSlot: slot,
    stockLimit: slot === null ? null : limits.stock,
    budgetRange: budget,
    budgetLimit: budget === null ? null : limits.budgetTotal,
    dailyRange: daily,
    dailyLimit: daily === null ? null : limits.budgetDaily,
    userLimit: limits.perUserTotal,
    dailyUserLimit: limits.perUserDaily,
  };
}
