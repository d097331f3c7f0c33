/** Requests to a pocket's sandbox issuer signed as pocket's HTTP issuer client signs them (notification-signature.ts). */
import { currentAndPrevious } from '../../src/config';
import { signatureHeaders } from '../../src/integrations/notification-signature';
import type { Pocket } from '../../src/server';

/**
 * The signature headers of a request to `pocket`'s sandbox issuer at `at` (its clock): `payload` is the body as
 * sent, or for a listing (GET) its path and query exactly as sent.
 */
export function sandboxSignature(pocket: Pocket, payload: string, at: Date): Record<string, string> {
  return signatureHeaders(currentAndPrevious(pocket.config, 'webhook'), payload, at);
}
