import type { Executor } from '../ledger/db';
import type { IssuedPage, IssueRequest } from './issuer';

/** What the sandbox keeps of a grant it issued: the request without a coupon's terms, and when it issued it. */
export interface SandboxIssuedRecord extends Omit<IssueRequest, 'grantedAt' | 'minSpend' | 'validDays'> {
  issuedAt: Date;
}

export interface SandboxIssuedStore {
  /** Issues once per grant id (the idempotency key); false when it was already issued. */
  insert(q: Executor, record: SandboxIssuedRecord): Promise<boolean>;
  get(q: Executor, grantId: string): Promise<SandboxIssuedRecord | null>;
  /** Issued in [since, until), by (issuedAt, grantId); the cursor is opaque to callers. */
  page(
    q: Executor,
    query: { since: Date; until: Date; cursor: string | null; limit: number },
  ): Promise<IssuedPage>;
}
