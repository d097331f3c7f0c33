/**
 * Pure: which timeline bucket an instant falls in, and where a bucket starts, on the campaign's clock. Buckets
 * longer than an hour (3 h, 6 h, days) start on the zone's local hours and days on either side of a DST change,
 * so that a day point is a business day (23 or 25 hours around a change) and its spend is that date's daily
 * spend; with one offset for the whole range, every day after a change ran from 23:00 to 23:00 local (or 01:00).
 */
import { utcOffsetSeconds } from '../../decision/business-date';

/** From `since` (epoch seconds) on, instants are shifted by `shift` seconds; the first period also covers before. */
export interface ShiftPeriod {
  since: number;
  shift: number;
}

const DAY = 86400;
/** At most this many offset probes over a range: days apart, or further apart over a very long one. */
const MAX_PROBES = 1000;

/** The first second in (lo, hi] whose offset differs from lo's (there is one: hi's offset differs). */
function changeAfter(lo: number, hi: number, timeZone: string): number {
  const before = utcOffsetSeconds(new Date(lo * 1000), timeZone);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetSeconds(new Date(mid * 1000), timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The zone's UTC offsets over [first, last] (epoch seconds): one period per offset, the first from `first`. */
export function offsetPeriods(first: number, last: number, timeZone: string): ShiftPeriod[] {
  const step = Math.max(DAY, Math.ceil((last - first) / MAX_PROBES));
  const periods: ShiftPeriod[] = [
    { since: first, shift: utcOffsetSeconds(new Date(first * 1000), timeZone) },
  ];
  for (let at = first; at < last;) {
    const next = Math.min(at + step, last);
    const shift = utcOffsetSeconds(new Date(next * 1000), timeZone);
    if (shift !== periods[periods.length - 1]?.shift) {
      const since = changeAfter(at, next, timeZone);
      periods.push({ since, shift: utcOffsetSeconds(new Date(since * 1000), timeZone) });
    }
    at = next;
  }
  return periods;
}

/**
 * The shifts buckets of `bucketSeconds` use: none under an hour (every zone's offset is a whole number of
 * quarter hours), the first offset for hours (a DST change moves a whole hour, so hours stay aligned and none is
 * repeated or skipped), and every period for longer buckets (local 00:00, 03:00, … on both sides of a change).
 */
export function shiftsFor(bucketSeconds: number, periods: readonly ShiftPeriod[]): ShiftPeriod[] {
  if (bucketSeconds < 3600 || periods.length === 0) return [];
  return bucketSeconds === 3600 ? periods.slice(0, 1) : [...periods];
}

function shiftAt(at: number, shifts: readonly ShiftPeriod[]): number {
  let shift = shifts[0]?.shift ?? 0;
  for (const p of shifts) if (at >= p.since) shift = p.shift;
  return shift;
}

/** The bucket of an instant (epoch seconds): floor((at + the zone's offset then) / size). */
export function bucketIndex(at: number, bucketSeconds: number, shifts: readonly ShiftPeriod[]): number {
  return Math.floor((at + shiftAt(at, shifts)) / bucketSeconds);
}

/** The first instant (epoch seconds) of bucket `b`: local time b × size, in the period that has it. */
export function bucketStart(b: number, bucketSeconds: number, shifts: readonly ShiftPeriod[]): number {
  const wall = b * bucketSeconds;
  if (shifts.length === 0) return wall;
  for (let i = 0; i < shifts.length; i++) {
    const period = shifts[i] as ShiftPeriod;
    const start = i === 0 ? wall - period.shift : Math.max(period.since, wall - period.shift);
    const end = shifts[i + 1]?.since;
    if (end === undefined || start < end) return start;
  }
  return wall;
}
