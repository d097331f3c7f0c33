/**
 * The grants list's paging cursor (`nextCursor`, sent back as `before`): where the page ended, the last grant's
 * created_at and id, opaque to clients (base64url of a JSON pair). Keyset paging: new grants land before the
 * first page instead of shifting the later ones.
 */
import type { GrantPosition } from '../ledger/grant-store';

const CURSOR = /^[A-Za-z0-9_-]{1,256}$/;
/**
 * The instant as toISOString() writes one of years 0000-9999, the only ones a grant's created_at holds: the
 * six-digit years it writes beyond (`-271821-04-20T…`) are instants PostgreSQL's timestamptz cannot hold, and
 * its "timestamp out of range" was a 500. Likewise a NUL in the id, which no PostgreSQL text value can hold.
 */
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

export function encodeGrantCursor(position: GrantPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

/** The position a cursor names, or null for anything this service did not hand out. */
export function decodeGrantCursor(text: string): GrantPosition | null {
  if (!CURSOR.test(text)) return null;
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return null;
  const [at, id] = pair as unknown[];
  if (typeof at !== 'string' || !INSTANT.test(at)) return null;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128 || id.includes('\u0000')) return null;
  const createdAt = new Date(at);
  return Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at ? null : { createdAt, id };
}
