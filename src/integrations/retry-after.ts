/**
 * An HTTP `Retry-After` header (RFC 9110 §10.2.3) as a pause in ms: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 25 Nov 2026 20:30:00 GMT`) taken against `now`. Null when absent or unreadable; a date in the past is 0.
 */
export function retryAfterMs(header: string | null, now: Date): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^[0-9]{1,10}$/.test(value)) return Number(value) * 1000;
  // An IMF-fixdate names its weekday and GMT; Date.parse would take far looser text (a bare "5" or "2026").
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
