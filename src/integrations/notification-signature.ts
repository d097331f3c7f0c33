/**
 * Webhook signatures: `X-Pocket-Timestamp: <unix seconds>` and
 * `X-Pocket-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. The receiver recomputes the
 * HMAC over the raw body bytes, compares in constant time and refuses stale timestamps (replays). During a
 * rotation (WEBHOOK_SECRET_PREVIOUS) the header carries one `v1=` per secret, comma-separated, the current one
 * first (Stripe's convention): a receiver holding either secret finds its own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Pocket-Timestamp';
export const SIGNATURE_HEADER = 'X-Pocket-Signature';

function signPayload(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** `secrets`: the current secret, then the previous one during a rotation; one `v1=` each. */
export function signatureHeaders(
  secrets: string | readonly string[],
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signatures = (typeof secrets === 'string' ? [secrets] : secrets).map(
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
