/** One CSV cell, for the CLI's CSV outputs (`report`, `grants list`). */

export type Cell = string | number;

/**
 * RFC 4180 quoting, and text a spreadsheet would run as a formula (= + - @, tab, CR first) made inert with a
 * leading apostrophe (OWASP's CSV-injection advice): quotes alone do not stop it. Numbers are left as they are,
 * so a negative figure stays a number.
 */
export function csvCell(value: Cell | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
