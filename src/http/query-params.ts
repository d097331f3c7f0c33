/**
 * Query parameters the OpenAPI document types as integers: plain decimal digits only. `Number()` would also
 * take `0x10`, `1e2`, `1.0` or ` 5`, none of which is an integer parameter.
 */

/** The integer a query value spells, `fallback` when absent, NaN when it is anything but decimal digits. */
export function integerQuery(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : Number.NaN;
}
