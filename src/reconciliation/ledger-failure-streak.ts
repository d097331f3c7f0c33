/**
 * When a scheduler lease holder should give the lease up: after `limit` job turns in a row failed on the ledger
 * (dependencyOf 'ledger': a statement past its deadline, a connection refused or lost). Its renewal needs only the
 * lease's store (Redis), so a worker cut off from PostgreSQL alone kept the lease, every turn failed after its
 * deadline, and no healthy worker could take over. A turn that ran ends the streak; a turn skipped, or failed for
 * another reason (an issuer down), leaves it as it is.
 */
import { dependencyOf } from '../errors/dependency-failure';
import type { JobTurn } from './job-runner';

/** Three turns: one stuck statement or a brief failover is ridden out, a ledger gone for good is not. */
export const LEDGER_FAILURES_TO_STEP_DOWN = 3;

export class LedgerFailureStreak {
  private count = 0;

  constructor(private readonly limit = LEDGER_FAILURES_TO_STEP_DOWN) {}

  /** Records a turn (`error`: why it failed); true when the holder should step down now (the streak restarts). */
  record(turn: JobTurn, error?: unknown): boolean {
    if (turn === 'ran') this.count = 0;
    if (turn !== 'failed' || dependencyOf(error) !== 'ledger') return false;
    this.count += 1;
    if (this.count < this.limit) return false;
    this.count = 0;
    return true;
  }
}
