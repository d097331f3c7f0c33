import type { Executor } from './db';

/** One API token as stored: never the token itself, only sha256 of its secret. */
export interface ApiTokenRecord {
  id: string;
  name: string | null;
  scopes: string[];
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiTokenStore {
  insert(q: Executor, token: ApiTokenRecord): Promise<void>;
  find(q: Executor, id: string): Promise<ApiTokenRecord | null>;
  /** Every token, newest first. */
  list(q: Executor): Promise<ApiTokenRecord[]>;
  /** Sets revoked_at once; false when there is no such token or it was already revoked. */
  revoke(q: Executor, id: string, at: Date): Promise<boolean>;
}
