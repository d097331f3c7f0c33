/**
 * Pure: where the hot counters and the counters the ledger implies (+ live reservations) disagree.
 * Every counted resource is seen as the set of positions in use: stock slot s is [s-1, s), a budget range is
 * itself. `hotOnly` is in use in the hot state only (a leak: never handed out again until repaired);
 * `expectedOnly` is in use in the ledger or a live reservation but free in the hot state (the next reserve
 * there would hit the ledger's fence).
 */
import type { CampaignCounters, Range } from '../hot-state/hot-state';
import { subtractRanges } from './merge-counters';

export interface ResourceDrift {
  /** `stock:<reward>`, `budget` or `daily:<business date>`. */
  resource: string;
  hotOnly: Range[];
  expectedOnly: Range[];
  /** Units in use on each side (slots, or minor units of budget). */
  hotUsed: number;
  expectedUsed: number;
}

function length(ranges: readonly Range[]): number {
  return ranges.reduce((sum, [s, e]) => sum + (e - s), 0);
}

function usedRanges(counter: { top: number; free: readonly Range[] }): Range[] {
  return counter.top > 0 ? subtractRanges([[0, counter.top]], counter.free) : [];
}

function slotCounter(counter: { top: number; free: readonly number[] }): { top: number; free: Range[] } {
  return { top: counter.top, free: counter.free.map((s): Range => [s - 1, s]) };
}

/** Positions in use per resource. */
export function usedPositions(counters: CampaignCounters): Map<string, Range[]> {
  const used = new Map<string, Range[]>();
  for (const [rewardId, c] of Object.entries(counters.stock))
    used.set(`stock:${rewardId}`, usedRanges(slotCounter(c)));
  used.set('budget', usedRanges(counters.budget));
  for (const [date, c] of Object.entries(counters.daily)) used.set(`daily:${date}`, usedRanges(c));
  return used;
}

export function intersectRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return subtractRanges(a, subtractRanges(a, b));
}

export function diffCounters(hot: CampaignCounters, expected: CampaignCounters): ResourceDrift[] {
  const hotUsed = usedPositions(hot);
  const expectedUsed = usedPositions(expected);
  const drifts: ResourceDrift[] = [];
  for (const resource of [...new Set([...hotUsed.keys(), ...expectedUsed.keys()])].sort()) {
    const h = hotUsed.get(resource) ?? [];
    const e = expectedUsed.get(resource) ?? [];
    const hotOnly = subtractRanges(h, e);
    const expectedOnly = subtractRanges(e, h);
    if (hotOnly.length === 0 && expectedOnly.length === 0) continue;
    drifts.push({ resource, hotOnly, expectedOnly, hotUsed: length(h), expectedUsed: length(e) });
  }
  return drifts;
}

/**
 * The drift seen in both of two consecutive comparisons. Reads of the hot state, the reservations and the
 * ledger are not one atomic snapshot, so a reservation or a commit between them shows up as a difference in
 * one comparison; real drift (a leaked or a doubly free position) stays put and is seen in both.
 */
export function persistentDrift(
  first: readonly ResourceDrift[],
  second: readonly ResourceDrift[],
): ResourceDrift[] {
  const out: ResourceDrift[] = [];
  for (const later of second) {
    const earlier = first.find((d) => d.resource === later.resource);
    if (!earlier) continue;
    const hotOnly = intersectRanges(earlier.hotOnly, later.hotOnly);
    const expectedOnly = intersectRanges(earlier.expectedOnly, later.expectedOnly);
    if (hotOnly.length > 0 || expectedOnly.length > 0) out.push({ ...later, hotOnly, expectedOnly });
  }
  return out;
}
