import type { IssuedPage, IssuedRecord } from './issuer';

function fail(message: string): never {
  throw new Error(`issued-records page: ${message}`);
}

function record(value: unknown, i: number): IssuedRecord {
  if (typeof value !== 'object' || value === null) fail(`records[${i}] is not an object`);
  const r = value as Record<string, unknown>;
  if (typeof r.grantId !== 'string' || r.grantId === '') fail(`records[${i}].grantId must be a string`);
  if (typeof r.rewardId !== 'string') fail(`records[${i}].rewardId must be a string`);
  if (typeof r.amount !== 'number' || !Number.isSafeInteger(r.amount))
    fail(`records[${i}].amount must be an integer`);
  const issuedAt = typeof r.issuedAt === 'string' ? new Date(r.issuedAt) : null;
  if (issuedAt === null || Number.isNaN(issuedAt.getTime()))
    fail(`records[${i}].issuedAt must be an ISO date-time`);
  return { grantId: r.grantId, rewardId: r.rewardId, amount: r.amount, issuedAt };
}

/** Checks an issued-records page from an issuer (it is another system: trust nothing). */
export function parseIssuedPage(body: unknown): IssuedPage {
  if (typeof body !== 'object' || body === null) fail('not a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.records)) fail('records must be an array');
  const next = b.nextCursor;
  if (next !== null && next !== undefined && (typeof next !== 'string' || next === ''))
    fail('nextCursor must be a non-empty string or null');
  return { records: b.records.map(record), nextCursor: typeof next === 'string' ? next : null };
}

/** The JSON form of a page, as the sandbox serves it. */
export function issuedPageJson(page: IssuedPage): Record<string, unknown> {
  return {
    records: page.records.map((r) => ({
      grantId: r.grantId,
      rewardId: r.rewardId,
      amount: r.amount,
      issuedAt: r.issuedAt.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}
