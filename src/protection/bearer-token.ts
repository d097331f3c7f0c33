import type { Request } from 'express';

/**
 * The credential of `Authorization: Bearer <token>`: undefined when the header is absent, null when it is
 * present but not a well-formed bearer credential (which is an invalid credential, not an anonymous call).
 */
export function bearerToken(req: Request): string | null | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match && match[1] !== undefined && match[1].length <= 4096 ? match[1] : null;
}
