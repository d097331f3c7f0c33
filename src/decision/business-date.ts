/**
 * The business day of a campaign: the calendar date in its `timezone`. It keys daily limits and budgets.
 * Formatters are built once per zone; day bounds are cached per (zone, date), and the current day per zone,
 * so that the date of an instant inside it (every request of the day) is two comparisons, not a formatting.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_MS = 3_600_000;
const BOUNDS_CACHE_LIMIT = 4096;

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const wallFormatters = new Map<string, Intl.DateTimeFormat>();
const boundsCache = new Map<string, { start: number; end: number }>();
/** Per zone, the business day last asked for: its date and the instants it covers. */
const currentDay = new Map<string, { date: string; start: number; end: number }>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, withTime: boolean) {
  let f = cache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime
        ? { era: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
        : {}),
    });
    cache.set(timeZone, f);
  }
  return f;
}

function parts(f: Intl.DateTimeFormat, ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out;
}

function dateAt(ms: number, timeZone: string): string {
  const p = parts(formatter(dateFormatters, timeZone, false), ms);
  return `${(p.year ?? '').padStart(4, '0')}-${p.month}-${p.day}`;
}

/** The business date (YYYY-MM-DD) of `now` in `timeZone` (an IANA zone; an unknown zone throws RangeError). */
export function businessDate(now: Date, timeZone: string): string {
  const ms = now.getTime();
  if (Number.isNaN(ms)) throw new RangeError('businessDate: invalid Date');
  const day = currentDay.get(timeZone);
  if (day && ms >= day.start && ms < day.end) return day.date;
  const date = dateAt(ms, timeZone);
  const { start, end } = businessDayBounds(date, timeZone);
  if (!currentDay.has(timeZone) && currentDay.size >= BOUNDS_CACHE_LIMIT) currentDay.clear();
  currentDay.set(timeZone, { date, start: start.getTime(), end: end.getTime() });
  return date;
}

/** The zone's offset from UTC at `ms`, in ms (second precision, as the zone database has). */
/** The zone's offset from UTC at an instant, in seconds (+28800 for Asia/Shanghai). */
export function utcOffsetSeconds(at: Date, timeZone: string): number {
  return Math.round(offsetAt(at.getTime(), timeZone) / 1000);
}

function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const p = parts(formatter(wallFormatters, timeZone, true), whole);
  // Not Date.UTC, which reads the years 0-99 as 1900-1999: an instant before 100 AD (a report's `from`) had an
  // offset of 1,900 years. en-US counts the years before 1 AD as 1 BC, 2 BC…
  const wall = new Date(0);
  wall.setUTCFullYear(
    p.era === 'BC' ? 1 - Number(p.year) : Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
  );
  wall.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second));
  return wall.getTime() - whole;
}

function parseDate(date: string): number {
  const m = DATE_PATTERN.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return ms;
}

/** The first instant whose business date is `date` or later (later only when the zone skipped `date`). */
function startOfDay(date: string, wallMidnight: number, timeZone: string): number {
  let guess = wallMidnight - offsetAt(wallMidnight, timeZone);
  guess = wallMidnight - offsetAt(guess, timeZone);
  if (dateAt(guess, timeZone) === date && dateAt(guess - 1, timeZone) < date) return guess;
  // Midnight does not exist or is repeated that day (e.g. DST changing at 00:00): search to the millisecond.
  let lo = wallMidnight - 36 * HOUR_MS; // business date before `date`
  let hi = wallMidnight + 36 * HOUR_MS; // business date after `date`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dateAt(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The instants a business day covers: `start` inclusive, `end` exclusive (the start of the next day).
 * Correct across DST: a day can last 23 or 25 hours, and starts at 01:00 local time where midnight is skipped.
 */
export function businessDayBounds(date: string, timeZone: string): { start: Date; end: Date } {
  const key = `${timeZone} ${date}`;
  let bounds = boundsCache.get(key);
  if (!bounds) {
    const wallMidnight = parseDate(date);
    const nextMidnight = wallMidnight + 24 * HOUR_MS;
    const nextDate = new Date(nextMidnight).toISOString().slice(0, 10);
    bounds = {
      start: startOfDay(date, wallMidnight, timeZone),
      end: startOfDay(nextDate, nextMidnight, timeZone),
    };
    if (boundsCache.size >= BOUNDS_CACHE_LIMIT) boundsCache.clear();
    boundsCache.set(key, bounds);
  }
  return { start: new Date(bounds.start), end: new Date(bounds.end) };
}
