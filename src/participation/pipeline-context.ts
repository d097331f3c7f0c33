/** What one request carries through the pipeline once the campaign version is pinned. */
import type { AvailabilitySnapshot } from '../hot-state/hot-state';
import type { StepTimer } from '../observability/trace/step-timer';
import type { TraceRecorder } from '../observability/trace/trace-recorder';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { ParticipationRequest } from './participation-request';

export interface PipelineContext {
  request: ParticipationRequest;
  snapshot: CampaignSnapshot;
  now: Date;
  /** Computed once per request in the campaign timezone; keys the daily counters and is stored on the grant. */
  businessDate: string;
  participationId: string;
  codeNonce: string | null;
  tester: boolean;
  /** Step times of this request (logs, metrics, traces). */
  timer: StepTimer;
  /** Collects the decision trace when this request is traced (observability `tracePolicy`), else null. */
  trace: TraceRecorder | null;
  /** Read together with the lock; the first reward choice uses it, a retry after a lost race reads again. */
  availability: AvailabilitySnapshot | null;
  /** A reservation the ledger committed: confirmed by the same hot-state call that releases the lock. */
  committedReservation: string | null;
}

export interface PipelineTiming {
  /** How long the per-user lock is held at most. */
  lockTtlMs: number;
  /** How long a busy lock is waited for before 409 user_busy (DESIGN.md: ~200 ms). */
  lockWaitMs: number;
  /** How long a reservation lives before reconciliation may settle it. */
  reservationTtlMs: number;
  /** How long a finished key is remembered in hot state (the ledger keeps the answer itself). */
  doneTtlMs: number;
}
