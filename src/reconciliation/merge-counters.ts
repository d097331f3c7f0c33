/**
 * Pure: the hot counters a rebuild writes = what the ledger holds + what live reservations hold
 * (DESIGN.md: "repair counts ledger + live reservations, never the ledger alone").
 */
import type { CampaignCounters, Range, Reservation } from '../hot-state/hot-state';

/** `ranges` minus `taken`; both sorted or not, the result is sorted and has no empty ranges. */
export function subtractRanges(ranges: readonly Range[], taken: readonly Range[]): Range[] {
  let out: Range[] = [...ranges].sort((a, b) => a[0] - b[0]);
  for (const [ts, te] of taken) {
    const next: Range[] = [];
    for (const [s, e] of out) {
      if (te <= s || ts >= e) {
        next.push([s, e]);
        continue;
      }
      if (s < ts) next.push([s, ts]);
      if (te < e) next.push([te, e]);
    }
    out = next;
  }
  return out;
}

function mergeRanges(
  ledger: { top: number; free: Range[] },
  taken: readonly Range[],
): { top: number; free: Range[] } {
  const top = Math.max(ledger.top, ...taken.map((r) => r[1]));
  const gaps: Range[] = [...ledger.free];
  if (top > ledger.top) gaps.push([ledger.top, top]);
  return { top, free: subtractRanges(gaps, taken) };
}

function mergeSlots(
  ledger: { top: number; free: number[] },
  taken: readonly number[],
): { top: number; free: number[] } {
  const top = Math.max(ledger.top, ...taken);
  const held = new Set(taken);
  const free = new Set(ledger.free);
  for (let slot = ledger.top + 1; slot <= top; slot++) free.add(slot);
  return { top, free: [...free].filter((s) => !held.has(s)).sort((a, b) => a - b) };
}

export function mergeCounters(
  ledger: CampaignCounters,
  reservations: readonly Reservation[],
): CampaignCounters {
  const stock: CampaignCounters['stock'] = {};
  const rewardIds = new Set([
    ...Object.keys(ledger.stock),
    ...reservations.filter((r) => r.stockSlot !== null).map((r) => r.rewardId),
  ]);
  for (const rewardId of rewardIds) {
    const slots = reservations
      .filter((r) => r.rewardId === rewardId && r.stockSlot !== null)
      .map((r) => r.stockSlot as number);
    stock[rewardId] = mergeSlots(ledger.stock[rewardId] ?? { top: 0, free: [] }, slots);
  }
  const budget = mergeRanges(
    ledger.budget,
    reservations.flatMap((r) => (r.budgetRange ? [r.budgetRange] : [])),
  );
  const daily: CampaignCounters['daily'] = {};
  const dates = new Set([
    ...Object.keys(ledger.daily),
    ...reservations.filter((r) => r.dailyRange).map((r) => r.businessDate),
  ]);
  for (const date of dates) {
    const ranges = reservations
      .filter((r) => r.businessDate === date && r.dailyRange)
      .map((r) => r.dailyRange as Range);
    daily[date] = mergeRanges(ledger.daily[date] ?? { top: 0, free: [] }, ranges);
  }
  return { stock, budget, daily };
}
