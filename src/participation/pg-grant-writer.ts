/**
 * PostgreSQL grant writes, micro-batched: writes that wait at the same time share one statement
 * (ledger/grant-write-statement.ts) and so one commit. A batch that failed with a definite rollback is
 * written again one write per statement, so that each write gets its own answer (its own fence, duplicate or
 * failure); a batch whose outcome is unknown fails every write in it as unknown, and reconciliation settles
 * their reservations (DESIGN.md: nothing is released blindly).
 */
import { LEDGER_WAIT_MS, type Db } from '../ledger/db';
import { GRANT_WRITE, grantWriteValues, type GrantWrite } from '../ledger/grant-write-statement';
import { runPrepared } from '../ledger/pg-prepared';
import {
  BatchWaitExpired,
  NaturalBatcher,
  type NaturalBatcherOptions,
  type Settled,
} from '../shared/natural-batcher';

/** Why a grant write failed: the driver's error, and whether the write was rolled back for sure. */
export class GrantWriteFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly definite: boolean,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** A PostgreSQL error response (pg's DatabaseError carries the server's severity): the statement failed there. */
function answeredByServer(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { severity?: unknown }).severity === 'string'
  );
}

/**
 * One batch in flight: the writes that arrive meanwhile all leave with the next one. Two in flight made batches
 * half as big for the same commits per second (each statement pays its planning, commit and WAL flush once);
 * one in flight cut PostgreSQL's CPU per grant by a fifth and lowered p99 (npm run bench:participation).
 */
const DEFAULTS: NaturalBatcherOptions = { concurrency: 1, maxBatch: 64, maxWaitMs: LEDGER_WAIT_MS };

export class PgGrantWriter {
  private readonly batcher: NaturalBatcher<GrantWrite, void>;

  constructor(
    private readonly db: Db,
    options: NaturalBatcherOptions = DEFAULTS,
  ) {
    this.batcher = new NaturalBatcher((writes) => this.batch(writes), options);
  }

  /** Resolves once committed; rejects with a GrantWriteFailure. */
  write(write: GrantWrite): Promise<void> {
    return this.batcher.add(write).catch((error: unknown) => {
      // Never sent: rolled back for sure.
      throw error instanceof BatchWaitExpired ? new GrantWriteFailure(error, true) : error;
    });
  }

  private async batch(writes: readonly GrantWrite[]): Promise<Array<Settled<void>>> {
    const result = await this.statement(writes);
    if (result.ok || writes.length === 1 || !result.error.definite) return writes.map(() => result);
    return Promise.all(writes.map((w) => this.statement([w])));
  }

  private async statement(
    writes: readonly GrantWrite[],
  ): Promise<{ ok: true; value: undefined } | { ok: false; error: GrantWriteFailure }> {
    // One statement, one implicit transaction: rolled back for sure when it never reached the server or the
    // server answered an error; a connection lost after sending leaves the outcome unknown.
    let sent = false;
    try {
      await runPrepared(this.db, GRANT_WRITE, grantWriteValues(writes), () => {
        sent = true;
      });
      return { ok: true, value: undefined };
    } catch (error) {
      return { ok: false, error: new GrantWriteFailure(error, !sent || answeredByServer(error)) };
    }
  }
}
