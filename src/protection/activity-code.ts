/**
 * Signed activity codes (pure). A code is `<payload>.<mac>`, both base64url:
 * - payload: `1|<campaign id>|<user id or empty>|<expiry, epoch seconds>|<nonce>`;
 * - mac: HMAC-SHA256(secret, "pocket.activity-code." + payload), compared in constant time; while a rotation
 *   keeps the previous secret, a MAC made with either is accepted (codes are signed with the current one).
 * The nonce (16 random bytes) makes every code single-use: the ledger stores it with the participation's
 * outcome under `unique (campaign_id, code_nonce)`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isCampaignId } from '../http/campaign-id';
import { USER_ID } from '../shared/user-id';

export interface CodeClaims {
  campaignId: string;
  /** Bound to one user, or null for anyone. */
  userId: string | null;
  /** Epoch seconds; the code is refused from this second on. */
  expiresAt: number;
  nonce: string;
}

export type CodeRefusal = 'code_invalid' | 'code_expired';
export type CodeCheck = { ok: true; claims: CodeClaims } | { ok: false; reason: CodeRefusal };

const CODE = /^([A-Za-z0-9_-]{20,400})\.([A-Za-z0-9_-]{43})$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const EXPIRY = /^[1-9][0-9]{0,11}$/;

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`pocket.activity-code.${payload}`).digest('base64url');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function signActivityCode(secret: string, claims: CodeClaims): string {
  if (!isCampaignId(claims.campaignId)) throw new RangeError(`invalid campaign id "${claims.campaignId}"`);
  if (claims.userId !== null && !USER_ID.test(claims.userId)) {
    throw new RangeError(`invalid user id "${claims.userId}"`);
  }
  if (!EXPIRY.test(String(claims.expiresAt))) throw new RangeError('expiry must be epoch seconds');
  if (!NONCE.test(claims.nonce)) throw new RangeError('invalid nonce');
  const text = ['1', claims.campaignId, claims.userId ?? '', String(claims.expiresAt), claims.nonce].join(
    '|',
  );
  const payload = Buffer.from(text, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

function decode(payload: string): CodeClaims | null {
  const fields = Buffer.from(payload, 'base64url').toString('utf8').split('|');
  if (fields.length !== 5) return null;
  const [version, campaignId, userId, expiry, nonce] = fields as [string, string, string, string, string];
  if (version !== '1' || !isCampaignId(campaignId) || !EXPIRY.test(expiry) || !NONCE.test(nonce)) {
    return null;
  }
  if (userId !== '' && !USER_ID.test(userId)) return null;
  return { campaignId, userId: userId === '' ? null : userId, expiresAt: Number(expiry), nonce };
}

/** The given MAC against the one each secret makes, every one compared in constant time. */
function macMatches(secrets: readonly string[], payload: string, given: string): boolean {
  const b = Buffer.from(given, 'utf8');
  return secrets
    .map((secret) => {
      const a = Buffer.from(mac(secret, payload), 'utf8');
      return a.length === b.length && timingSafeEqual(a, b);
    })
    .includes(true);
}

/**
 * Checks the MAC (constant time) before reading anything from the payload, then the campaign, the bound
 * user and the expiry. A code for another campaign or user is `code_invalid`; a genuine but stale one is
 * `code_expired`. `secrets`: the current secret, then the previous one during a rotation; a MAC made with any of
 * them is accepted.
 */
export function verifyActivityCode(
  secrets: string | readonly string[],
  code: string,
  expected: { campaignId: string; userId: string; now: Date },
): CodeCheck {
  const match = CODE.exec(code);
  if (!match) return { ok: false, reason: 'code_invalid' };
  const [, payload, given] = match as unknown as [string, string, string];
  if (!macMatches(typeof secrets === 'string' ? [secrets] : secrets, payload, given)) {
    return { ok: false, reason: 'code_invalid' };
  }
  const claims = decode(payload);
  if (!claims || claims.campaignId !== expected.campaignId) return { ok: false, reason: 'code_invalid' };
  if (claims.userId !== null && claims.userId !== expected.userId)
    return { ok: false, reason: 'code_invalid' };
  if (Math.floor(expected.now.getTime() / 1000) >= claims.expiresAt)
    return { ok: false, reason: 'code_expired' };
  return { ok: true, claims };
}
