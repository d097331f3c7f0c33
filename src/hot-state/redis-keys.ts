import { createHash } from 'node:crypto';

/**
 * Encodes one key part so that it contains no ':', '{' or '}': every character outside [A-Za-z0-9._~-] becomes
 * '%' + four hex digits of its UTF-16 code unit. Injective, so `a:b` + `c` and `a` + `b:c` never share a key.
 */
export function encodeKeyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._~-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function decodeKeyPart(value: string): string {
  return value.replace(/%([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The Redis key layout. Every key of one campaign starts with `<prefix>{<campaign>}:`, so they share one hash
 * slot (Redis Cluster) and a Lua script may derive one from another:
 *   state               hash: init, s:<reward> (stock top), b / bf (budget top / free sum), d:<date> / df:<date>
 *   sfree:<reward>      zset: released stock slots (score = member = slot)
 *   bfree, dfree:<date> zset: released budget ranges, member "start:end", score = start
 *   u:<user>            hash: t (total), d:<date> (daily count); expires
 *   res / resx          hash: reservation id -> record; zset: reservation id by expiry
 *   lock:<user>         string: lock token (PX)
 *   idem:<user>:<sha256(key)>  string: in_flight:<request hash> | done (PX)
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new RangeError('Redis key prefix must not contain { or }');
  }

  base(campaignId: string): string {
    return `${this.prefix}{${encodeKeyPart(campaignId)}}:`;
  }

  state(campaignId: string): string {
    return `${this.base(campaignId)}state`;
  }

  stockFree(campaignId: string, rewardId: string): string {
    return `${this.base(campaignId)}sfree:${encodeKeyPart(rewardId)}`;
  }

  budgetFree(campaignId: string): string {
    return `${this.base(campaignId)}bfree`;
  }

  dailyFree(campaignId: string, businessDate: string): string {
    return `${this.base(campaignId)}dfree:${encodeKeyPart(businessDate)}`;
  }

  user(campaignId: string, userId: string): string {
    return `${this.base(campaignId)}u:${encodeKeyPart(userId)}`;
  }

  reservations(campaignId: string): string {
    return `${this.base(campaignId)}res`;
  }

  reservationExpiry(campaignId: string): string {
    return `${this.base(campaignId)}resx`;
  }

  lock(campaignId: string, userId: string): string {
    return `${this.base(campaignId)}lock:${encodeKeyPart(userId)}`;
  }

  idempotency(campaignId: string, userId: string, idempotencyKey: string): string {
    const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url');
    return `${this.base(campaignId)}idem:${encodeKeyPart(userId)}:${digest}`;
  }
}
