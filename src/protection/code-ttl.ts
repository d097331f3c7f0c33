/** `--ttl` of `pocket codes issue`: `90s`, `30m`, `24h`, `7d` or plain seconds; at most 366 days (pure). */
const UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const MAX_CODE_TTL_SECONDS = 366 * 86400;

export function parseTtlSeconds(text: string): number {
  const match = /^([1-9][0-9]{0,8})([smhd]?)$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a duration such as 90s, 30m, 24h or 7d`);
  const seconds = Number(match[1]) * (UNIT[match[2] || 's'] ?? 1);
  if (seconds > MAX_CODE_TTL_SECONDS) throw new RangeError('a code may live at most 366 days');
  return seconds;
}
