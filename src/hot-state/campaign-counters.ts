import type { CampaignCounters, Range } from './hot-state';

export interface SlotCounter {
  top: number;
  free: number[];
}

export interface RangeCounter {
  top: number;
  free: Range[];
}

function assertCount(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`counters: ${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Free slots sorted, unique, within 1..top; free slots at the top lower the top instead. */
export function normalizeSlots(what: string, counter: SlotCounter): SlotCounter {
  assertCount(`${what}.top`, counter.top);
  const free = [...counter.free].sort((a, b) => a - b);
  free.forEach((slot, i) => {
    assertCount(`${what}.free`, slot);
    if (slot < 1 || slot > counter.top)
      throw new RangeError(`counters: ${what}.free slot ${slot} is outside 1..top`);
    if (i > 0 && free[i - 1] === slot)
      throw new RangeError(`counters: ${what}.free slot ${slot} is listed twice`);
  });
  let top = counter.top;
  while (free.length > 0 && free[free.length - 1] === top) {
    free.pop();
    top -= 1;
  }
  return { top, free };
}

/** Free ranges sorted, non-overlapping, within [0, top), adjacent ones merged, a range ending at top folded in. */
export function normalizeRanges(what: string, counter: RangeCounter): RangeCounter {
  assertCount(`${what}.top`, counter.top);
  const sorted = [...counter.free].sort((a, b) => a[0] - b[0]);
  const free: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    assertCount(`${what}.free start`, start);
    assertCount(`${what}.free end`, end);
    if (start >= end || end > counter.top) {
      throw new RangeError(
        `counters: ${what}.free range [${start}, ${end}) is empty or beyond top ${counter.top}`,
      );
    }
    const last = free[free.length - 1];
    if (last !== undefined && start < last[1]) {
      throw new RangeError(`counters: ${what}.free ranges overlap at ${start}`);
    }
    if (last !== undefined && start === last[1]) last[1] = end;
    else free.push([start, end]);
  }
  let top = counter.top;
  const tail = free[free.length - 1];
  if (tail !== undefined && tail[1] === top) {
    free.pop();
    top = tail[0];
  }
  return { top, free };
}

/** Validates counters written by a rebuild and puts them in the canonical form both implementations keep. */
export function normalizeCounters(counters: CampaignCounters): CampaignCounters {
  const stock: CampaignCounters['stock'] = {};
  for (const [rewardId, counter] of Object.entries(counters.stock)) {
    stock[rewardId] = normalizeSlots(`stock.${rewardId}`, counter);
  }
  const daily: CampaignCounters['daily'] = {};
  for (const [date, counter] of Object.entries(counters.daily)) {
    daily[date] = normalizeRanges(`daily.${date}`, counter);
  }
  return { stock, budget: normalizeRanges('budget', counters.budget), daily };
}

export function freeLength(ranges: readonly Range[]): number {
  return ranges.reduce((sum, [start, end]) => sum + (end - start), 0);
}
