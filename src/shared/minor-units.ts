/**
 * Money totals in JSON, exactly. A single grant's amount fits a double (the schemas cap it at 2^53 − 1), a sum of
 * them need not: two coupons of face value 2^53 − 1 make 2^54 − 2. A total is a JSON number while it is a safe
 * integer, as the report has always printed it, and past 2^53 − 1 its decimal digits as a string, which every JSON
 * reader keeps exactly (a number there would be rounded by JavaScript's, and Python's float, readers).
 */
export type MinorUnits = number | string;

/** The JSON form of an exact total. */
export function toMinorUnits(value: bigint): MinorUnits {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** A total as a bigint again, from its JSON form (or a bigint, as is). */
export function minorBigInt(value: MinorUnits | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}
