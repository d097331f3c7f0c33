import { utcOffsetSeconds } from '../decision/business-date';

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * An instant as the campaign's clock shows it, to the second: `2026-11-21T12:00:00+08:00`. The text outputs
 * printed UTC (`…T04:00:00.000Z`), which an operator in Shanghai read as 4 a.m.; this is still ISO 8601 with an
 * offset, so `--at` takes it back as written.
 */
export function localTime(iso: string, timeZone: string): string {
  const at = new Date(iso);
  const offset = utcOffsetSeconds(at, timeZone);
  const wall = new Date(Math.floor(at.getTime() / 1000) * 1000 + offset * 1000).toISOString().slice(0, 19);
  return `${wall}${offsetLabel(offset)}`;
}

/** Seconds east of UTC as an ISO 8601 offset: `+08:00`, `-04:00`. */
export function offsetLabel(seconds: number): string {
  const minutes = Math.round(Math.abs(seconds) / 60);
  return `${seconds < 0 ? '-' : '+'}${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}`;
}
