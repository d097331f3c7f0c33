import type { ReserveRequest } from './hot-state';

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function nonEmpty(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`reserve: ${name} must be a non-empty string`);
}

/** A TTL must be a positive whole number of milliseconds (PEXPIRE refuses anything else, after the writes). */
export function assertTtl(name: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`${name} must be a positive integer`);
}

/** Refuses a malformed reserve before it reaches a counter (a programming error, not a business "no"). */
export function assertReserveRequest(request: ReserveRequest): void {
  nonEmpty('campaignId', request.campaignId);
  nonEmpty('reservationId', request.reservationId);
  nonEmpty('userId', request.userId);
  nonEmpty('rewardId', request.rewardId);
  nonEmpty('businessDate', request.businessDate);
  if (!isCount(request.charge)) throw new RangeError(`reserve: charge must be a non-negative integer`);
  assertTtl('reserve: ttlMs', request.ttlMs);
  if (!Number.isSafeInteger(request.now)) throw new RangeError('reserve: now must be epoch milliseconds');
  if (request.userTtlMs !== undefined) assertTtl('reserve: userTtlMs', request.userTtlMs);
  for (const [name, limit] of Object.entries(request.limits)) {
    if (limit !== null && !isCount(limit))
      throw new RangeError(`reserve: limits.${name} must be null or >= 0`);
  }
}
