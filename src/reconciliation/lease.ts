/**
 * A named lease with a holder token: only one instance runs the scheduled jobs. Redis in production
 * (SET NX PX, renewed and released by compare-and-set scripts), the `leases` table without Redis.
 */
export interface Lease {
  /** Takes the lease, or extends it when `holder` has it already; false while someone else holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives it up, only if `holder` still has it (compare-and-delete). */
  release(name: string, holder: string): Promise<void>;
  close(): Promise<void>;
}
