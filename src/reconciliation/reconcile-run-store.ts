import type { Executor } from '../ledger/db';

export type ReconcileKind = 'realtime' | 'offline';
export type ReconcileRunStatus = 'running' | 'ok' | 'failed';

export interface ReconcileRun {
  id: string;
  kind: ReconcileKind;
  status: ReconcileRunStatus;
  campaignId: string | null;
  windowSince: Date | null;
  windowUntil: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  summary: Record<string, unknown> | null;
  error: string | null;
}

export interface ReconcileRunStore {
  start(
    q: Executor,
    run: Pick<ReconcileRun, 'id' | 'kind' | 'campaignId' | 'windowSince' | 'windowUntil' | 'startedAt'>,
  ): Promise<void>;
  finish(
    q: Executor,
    id: string,
    end: {
      status: 'ok' | 'failed';
      finishedAt: Date;
      summary: Record<string, unknown> | null;
      error?: string | null;
    },
  ): Promise<void>;
  get(q: Executor, id: string): Promise<ReconcileRun | null>;
  /** Newest first. */
  latest(q: Executor, kind: ReconcileKind, limit: number): Promise<ReconcileRun[]>;
}
