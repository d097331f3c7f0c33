/**
 * The sandbox issuer: the embedded default downstream, and where test grants always go. It keeps what it
 * issued in the local database (sandbox_issued) and serves the issued-records endpoint
 * (sandbox-issuer-router.ts), so that `npm start` works end to end and offline reconciliation has a real
 * downstream to compare against. It pays nobody: the README labels it as such.
 */
import type { Db } from '../ledger/db';
import type { IssuedPage, IssuedQuery, IssueRequest, IssueResult, Issuer } from './issuer';
import type { SandboxChannel, SandboxIssuedStore } from './sandbox-issued-store';

const SANDBOX_ISSUER_NAME = 'sandbox';

export class SandboxIssuer implements Issuer {
  readonly name = SANDBOX_ISSUER_NAME;

  /**
   * `channel`: `process` for the sandbox the relay calls directly, `http` for its HTTP face
   * (sandbox-issuer-router.ts). One store and one idempotency, but each lists only what reached it its way:
   * reconciliation reads the in-process sandbox and the HTTP issuer an ISSUER_<TYPE>_URL names, and with both
   * listing every record each grant issued over HTTP was listed twice (`issued_twice`, an alert per grant).
   */
  constructor(
    private readonly deps: { db: Db; store: SandboxIssuedStore; clock: () => Date; channel?: SandboxChannel },
  ) {}

  /** Idempotent by grant id: a repeated grant answers 409, as a real issuer would. */
  async issue(request: IssueRequest): Promise<IssueResult> {
    try {
      const fresh = await this.deps.store.insert(
        this.deps.db,
        { ...request, issuedAt: this.deps.clock() },
        this.deps.channel,
      );
      return { kind: 'delivered', status: fresh ? 201 : 409 };
    } catch (error) {
      return { kind: 'retry', reason: `sandbox: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  listIssued(query: IssuedQuery): Promise<IssuedPage> {
    return this.deps.store.page(this.deps.db, query, this.deps.channel);
  }
}
