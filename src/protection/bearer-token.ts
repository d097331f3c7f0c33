import type { Request } from 'express';
import { ValidationError } from '../errors/app-error';

const REPEATED = 'must be sent once: with two, which credential is meant is unclear';

/**
 * The credential of `Authorization: Bearer <token>`: undefined when the header is absent, null when it is
 * present but not a well-formed bearer credential (which is an invalid credential, not an anonymous call).
 * A request with two `Authorization` headers is a 400 `invalid_request` naming the header (RFC 6750 §3.1: a
 * request that repeats a parameter is malformed): Node keeps the first in `req.headers`, while a proxy or
 * gateway in front may have read the last, so the two could disagree on who is calling.
 */
export function bearerToken(req: Request): string | null | undefined {
  if ((req.headersDistinct['authorization']?.length ?? 0) > 1) {
    throw new ValidationError('the Authorization header is sent more than once', [
      { path: 'Authorization', message: REPEATED },
    ]);
  }
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match && match[1] !== undefined && match[1].length <= 4096 ? match[1] : null;
}
