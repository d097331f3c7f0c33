import type { Test } from 'supertest';

/**
 * Sends `name` once per value, as separate header lines (two `Authorization` headers): superagent does so for an
 * array value, though its types allow one for `Cookie` only.
 */
export function withRepeatedHeader(req: Test, name: string, values: readonly string[]): Test {
  return req.set(name, values as unknown as string);
}
