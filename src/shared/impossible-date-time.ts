/**
 * Why a text shaped like an RFC 3339 date-time with an offset (what the schemas' `format: date-time` takes)
 * names no real instant, e.g. `November has 30 days`; undefined when it is not shaped so, or is real.
 * It tells an impossible date apart from a missing offset, which the schema validator reports alike.
 */
const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] ?? 31);
}

export function impossibleDateTime(text: string): string | undefined {
  const match = SHAPE.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number, number];
  const monthName = MONTHS[month - 1];
  if (monthName === undefined)
    return `there is no month ${String(month).padStart(2, '0')} (months run 01-12)`;
  const days = daysIn(year, month);
  if (day < 1 || day > days) {
    const which = month === 2 ? `February ${year}` : monthName;
    return day < 1 ? 'there is no day 00 (days start at 01)' : `${which} has ${days} days`;
  }
  if (hour > 23) return `there is no hour ${hour} (hours run 00-23)`;
  if (minute > 59) return `there is no minute ${minute} (minutes run 00-59)`;
  if (second > 59) return `there is no second ${second} (seconds run 00-59)`;
  if (offsetHours > 23 || offsetMinutes > 59) return 'the offset must be between -23:59 and +23:59';
  return undefined;
}
