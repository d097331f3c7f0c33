/**
 * What a scheduled job asks between its units of work: does this instance still hold the scheduler lease?
 * JobRunner gives each run one, answered from the lease keeper's local view (no round trip), and once it has
 * said no it keeps saying no for that run, even if the lease comes back (another instance may have run the job
 * meanwhile). A job that loops stops at its next safe point: one that keeps a run record throws LeaseLostError
 * (after closing the record), one that does not returns what it did so far. Runs outside the scheduler (the CLI,
 * `pocket worker --once`) hold no lease and are given ALWAYS_LEADER.
 */
export type StillLeader = () => boolean;

export const ALWAYS_LEADER: StillLeader = () => true;

export class LeaseLostError extends Error {
  constructor() {
    super('abandoned: this worker lost the scheduler lease; the run stopped between two units of work');
    this.name = 'LeaseLostError';
  }
}

/** Throws LeaseLostError when this instance no longer leads. */
export function ensureLeader(stillLeader: StillLeader): void {
  if (!stillLeader()) throw new LeaseLostError();
}
