/** Creates, lists and revokes API tokens (`pocket tokens …`, `GET /admin/tokens`). */
import type { ApiTokenRecord, ApiTokenStore } from '../ledger/api-token-store';
import type { Db } from '../ledger/db';
import { issueToken, TOKEN_ID_PATTERN, type TokenScope } from './api-token';

export interface TokenSummary {
  id: string;
  name: string | null;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** A token as `GET /admin/tokens` and `pocket tokens … --format json` show it (dates as ISO 8601, no secret). */
export function tokenView(t: TokenSummary): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

export interface CreatedToken {
  id: string;
  /** The bearer token: shown once, never stored or logged. */
  token: string;
  summary: TokenSummary;
}

const NAME_PATTERN = /^[\p{L}\p{N} ._:@/-]{1,100}$/u;

function summarize(record: ApiTokenRecord): TokenSummary {
  const { secretHash: _hidden, ...summary } = record;
  return summary;
}

export class TokenService {
  constructor(private readonly deps: { db: Db; store: ApiTokenStore; clock?: () => Date }) {}

  async create(scopes: readonly TokenScope[], name: string | null = null): Promise<CreatedToken> {
    if (scopes.length === 0) throw new RangeError('a token needs at least one scope');
    if (name !== null && !NAME_PATTERN.test(name)) {
      throw new RangeError('--name must be 1-100 letters, digits, spaces or . _ : @ / -');
    }
    const issued = issueToken();
    const record: ApiTokenRecord = {
      id: issued.id,
      name,
      scopes: [...scopes],
      secretHash: issued.secretHash,
      createdAt: this.now(),
      revokedAt: null,
    };
    await this.deps.store.insert(this.deps.db, record);
    return { id: issued.id, token: issued.token, summary: summarize(record) };
  }

  async list(): Promise<TokenSummary[]> {
    return (await this.deps.store.list(this.deps.db)).map(summarize);
  }

  /** The token as revoked; null when there is no such active token. */
  async revoke(id: string): Promise<TokenSummary | null> {
    if (!TOKEN_ID_PATTERN.test(id)) return null;
    if (!(await this.deps.store.revoke(this.deps.db, id, this.now()))) return null;
    const record = await this.deps.store.find(this.deps.db, id);
    return record ? summarize(record) : null;
  }

  private now(): Date {
    return this.deps.clock ? this.deps.clock() : new Date();
  }
}
