/**
 * Verifies bearer API tokens without a database read per request: each token id's row is cached for a short
 * TTL (default 2 s), so a revocation takes effect within seconds on every instance. Unknown ids are cached
 * too (bounded), so garbage tokens cannot turn into a query flood.
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
  private readonly cache = new Map<string, Entry>();
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
    const hit = this.cache.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.record;
    this.cache.delete(id);
    // Single flight: concurrent requests with the same token share one read.
    const record = this.options.find(id).catch(() => {
      this.cache.delete(id);
      throw new DependencyUnavailableError('ledger', 'cannot check the token right now');
    });
    this.cache.set(id, { at: now, record });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return record;
  }
}
