/**
 * The sandbox issuer: the embedded default downstream, and where test grants always go. It keeps what it
 * issued in the local database (sandbox_issued) and serves the issued-records endpoint
 * (sandbox-issuer-router.ts), so that `npm start` works end to end and offline reconciliation has a real
 * downstream to compare against. It pays nobody: the README labels it as such.
 */
import type { Db } from '../ledger/db';
import type { IssuedPage, IssuedQuery, IssueRequest, IssueResult, Issuer } from './issuer';
import type { SandboxIssuedStore } from './sandbox-issued-store';

const SANDBOX_ISSUER_NAME = 'sandbox';

export class SandboxIssuer implements Issuer {
  readonly name = SANDBOX_ISSUER_NAME;

  constructor(private readonly deps: { db: Db; store: SandboxIssuedStore; clock: () => Date }) {}

  /** Idempotent by grant id: a repeated grant answers 409, as a real issuer would. */
  async issue(request: IssueRequest): Promise<IssueResult> {
    try {
      const fresh = await this.deps.store.insert(this.deps.db, { ...request, issuedAt: this.deps.clock() });
      return { kind: 'delivered', status: fresh ? 201 : 409 };
    } catch (error) {
      return { kind: 'retry', reason: `sandbox: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  listIssued(query: IssuedQuery): Promise<IssuedPage> {
    return this.deps.store.page(this.deps.db, query);
  }
}
