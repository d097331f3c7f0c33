/**
 * Verifies bearer API tokens without a database read per request: each token id's row is cached for a short
 * TTL (default 2 s), so a revocation takes effect within seconds on every instance. Unknown ids are cached
 * too, bounded, in a cache of their own: a flood of made-up ids repeats no read and cannot push the real
 * tokens out of theirs (each id still costs one read, by primary key).
 */
import { DependencyUnavailableError } from '../errors/app-error';
import type { ApiTokenRecord } from '../ledger/api-token-store';
import { isTokenScope, parseToken, secretMatches, type TokenScope } from './api-token';

export interface VerifiedToken {
  id: string;
  scopes: readonly TokenScope[];
}

export interface TokenVerifier {
  /** The token's id and scopes, or null when it is malformed, unknown, revoked or its secret is wrong. */
  verify(token: string): Promise<VerifiedToken | null>;
}

export interface CachedTokenVerifierOptions {
  find(id: string): Promise<ApiTokenRecord | null>;
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  at: number;
  record: Promise<ApiTokenRecord | null>;
}

export class CachedTokenVerifier implements TokenVerifier {
  /** Ids with a row, and ids without one (or whose read is in flight). */
  private readonly known = new Map<string, Entry>();
  private readonly unknown = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: CachedTokenVerifierOptions) {
    this.ttlMs = options.ttlMs ?? 2000;
    this.maxEntries = options.maxEntries ?? 10000;
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<VerifiedToken | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const record = await this.lookup(parsed.id);
    if (!record || record.revokedAt !== null || !secretMatches(parsed.secret, record.secretHash)) return null;
    return { id: record.id, scopes: record.scopes.filter(isTokenScope) };
  }

  private async lookup(id: string): Promise<ApiTokenRecord | null> {
    const now = this.now();
    const hit = this.known.get(id) ?? this.unknown.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.record;
    this.known.delete(id);
    this.unknown.delete(id);
    // Single flight: concurrent requests with the same token share one read.
    const entry: Entry = {
      at: now,
      record: this.options.find(id).then(
        (record) => {
          // Filed with the known ids once the read says it exists.
          if (record && this.unknown.get(id) === entry) {
            this.unknown.delete(id);
            this.remember(this.known, id, entry);
          }
          return record;
        },
        () => {
          if (this.unknown.get(id) === entry) this.unknown.delete(id);
          throw new DependencyUnavailableError('ledger', 'cannot check the token right now');
        },
      ),
    };
    this.remember(this.unknown, id, entry);
    return entry.record;
  }

  /** Bounded: past maxEntries the oldest id of that cache goes. */
  private remember(cache: Map<string, Entry>, id: string, entry: Entry): void {
    cache.set(id, entry);
    if (cache.size > this.maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }
}
