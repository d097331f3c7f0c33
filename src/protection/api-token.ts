/**
 * API tokens (pure): admin tokens (scopes publish, read, operate) and gateway client tokens (scope
 * participate). A token reads `pk_<id>_<secret>`: a 16-hex-digit id (the row's key, shown by `tokens list`)
 * and a 32-byte random secret (base64url). Only sha256(secret) is stored; the token is printed once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ADMIN_SCOPES = ['publish', 'read', 'operate'] as const;
export const TOKEN_SCOPES = [...ADMIN_SCOPES, 'participate'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const TOKEN_PATTERN = /^pk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const TOKEN_ID_PATTERN = /^[0-9a-f]{16}$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export interface IssuedToken {
  id: string;
  /** The whole bearer token; shown once, never stored. */
  token: string;
  secretHash: string;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function issueToken(): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `pk_${id}_${secret}`, secretHash: hashTokenSecret(secret) };
}

/** null unless the string has the exact token shape (so a JWT or garbage never reaches the store). */
export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashTokenSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

/**
 * Parses `publish,read` into scopes. A client token (participate) carries no admin scope: a gateway's
 * credential that leaks must not also publish campaigns.
 */
export function parseScopes(text: string): TokenScope[] {
  const scopes = [...new Set(text.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (scopes.length === 0) throw new RangeError(`no scope given (one or more of ${TOKEN_SCOPES.join(', ')})`);
  const unknown = scopes.filter((s) => !isTokenScope(s));
  if (unknown.length > 0) {
    throw new RangeError(`unknown scope ${unknown.join(', ')} (use ${TOKEN_SCOPES.join(', ')})`);
  }
  if (scopes.includes('participate') && scopes.length > 1) {
    throw new RangeError('a participate (client) token cannot also hold admin scopes: create two tokens');
  }
  return scopes as TokenScope[];
}
