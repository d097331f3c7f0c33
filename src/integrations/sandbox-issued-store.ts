import type { Executor } from '../ledger/db';
import type { IssuedPage, IssueRequest } from './issuer';

/** What the sandbox keeps of a grant it issued: the request without a coupon's terms, and when it issued it. */
export interface SandboxIssuedRecord extends Omit<IssueRequest, 'grantedAt' | 'minSpend' | 'validDays'> {
  issuedAt: Date;
}

/**
 * How a grant reached the sandbox: in process (test grants, reward types without an issuer URL), or through its
 * HTTP face (an ISSUER_<TYPE>_URL pointing at /sandbox/issuer). Each face lists only its own records: offline
 * reconciliation reads both, and one table listed by both showed every grant issued over HTTP twice.
 */
export type SandboxChannel = 'process' | 'http';

export interface SandboxIssuedStore {
  /**
   * Issues once per grant id (the idempotency key), whatever the channel; false when it was already issued (then
   * it stays listed by the channel that issued it).
   */
  insert(q: Executor, record: SandboxIssuedRecord, channel?: SandboxChannel): Promise<boolean>;
  get(q: Executor, grantId: string): Promise<SandboxIssuedRecord | null>;
  /**
   * Issued through `channel` (default in process) in [since, until), by (issuedAt, grantId); the cursor is opaque
   * to callers.
   */
  page(
    q: Executor,
    query: { since: Date; until: Date; cursor: string | null; limit: number },
    channel?: SandboxChannel,
  ): Promise<IssuedPage>;
}
