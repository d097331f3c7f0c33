/**
 * The signatures of every request pocket sends out (webhooks to NOTIFY_URL, grants and listings to the issuers):
 * `X-Pocket-Timestamp: <unix seconds>` and `X-Pocket-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." +
 * payload)>`, the payload being the raw body bytes, or for a request without a body (an issuer's listing, GET)
 * its request target: the path and query string exactly as sent. The receiver recomputes the HMAC, compares in
 * constant time and refuses stale timestamps (replays). The secret: WEBHOOK_SECRET for webhooks, the issuer's own
 * (ISSUER_<TYPE>_SECRET, else WEBHOOK_SECRET) for an issuer. During a rotation (its `_PREVIOUS` set) the header
 * carries one `v1=` per secret, comma-separated, the current one first (Stripe's convention): a receiver holding
 * either secret finds its own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Pocket-Timestamp';
export const SIGNATURE_HEADER = 'X-Pocket-Signature';

function signPayload(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * The secrets a request is signed with: the current one, then the previous one during a rotation. A function is
 * read at each signature, so that a sender built by a verb that never sends (`grants void`) never reads them.
 */
export type SigningSecrets = string | readonly string[] | (() => readonly string[]);

/** One `v1=` per secret of `secrets`. */
export function signatureHeaders(secrets: SigningSecrets, body: string, now: Date): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const given = typeof secrets === 'function' ? secrets() : secrets;
  const signatures = (typeof given === 'string' ? [given] : given).map(
    (secret) => `v1=${signPayload(secret, timestamp, body)}`,
  );
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signatures.join(',') };
}

export interface SignatureCheck {
  secret: string;
  /** The raw request body, exactly as received. */
  body: string;
  timestamp: string | undefined;
  /** The X-Pocket-Signature header; several comma-separated `v1=` values are accepted (secret rotation). */
  signature: string | undefined;
  now?: Date;
  /** Maximum age (and clock skew) of the timestamp; default 300 s. */
  toleranceSeconds?: number;
}

/** True when one of the v1 signatures matches the body and the timestamp is recent. */
export function verifySignature(check: SignatureCheck): boolean {
  const { timestamp, signature } = check;
  if (timestamp === undefined || signature === undefined || !/^\d{1,15}$/.test(timestamp)) return false;
  const now = (check.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(timestamp)) > (check.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(check.secret, timestamp, check.body), 'hex');
  return signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = part.slice(3);
      if (!/^[0-9a-f]{64}$/i.test(given)) return false;
      return timingSafeEqual(Buffer.from(given, 'hex'), expected);
    });
}

/**
 * What pocket signs in place of the body of a request without one: its request target, the path and query string
 * exactly as sent (`/base/grants?since=…&until=…&limit=500`), so that a captured signature is worth nothing for
 * another query.
 */
export function requestTarget(url: URL): string {
  return `${url.pathname}${url.search}`;
}

export type TargetSignatureCheck = Omit<SignatureCheck, 'body'> & {
  /**
   * The request target exactly as received, before any decoding: `req.originalUrl` in Express, `req.url` in
   * node:http. Behind a proxy that rewrites the path, the target pocket sent (the ISSUER_*_URL's path + /grants…).
   */
  target: string;
};

/** verifySignature for a request without a body (an issuer's listing, GET): the signature covers its target. */
export function verifyTargetSignature(check: TargetSignatureCheck): boolean {
  const { target, ...rest } = check;
  return verifySignature({ ...rest, body: target });
}
