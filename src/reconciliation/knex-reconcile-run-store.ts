import type { Executor } from '../ledger/db';
import { parseJson, toDate, toNullableDate, toNullableString } from '../ledger/row-values';
import type {
  ReconcileKind,
  ReconcileRun,
  ReconcileRunStatus,
  ReconcileRunStore,
} from './reconcile-run-store';

type Row = Record<string, unknown>;

function toRun(row: Row): ReconcileRun {
  return {
    id: String(row.id),
    kind: String(row.kind) as ReconcileKind,
    status: String(row.status) as ReconcileRunStatus,
    campaignId: toNullableString(row.campaign_id),
    windowSince: toNullableDate(row.window_since),
    windowUntil: toNullableDate(row.window_until),
    startedAt: toDate(row.started_at),
    finishedAt: toNullableDate(row.finished_at),
    summary: parseJson<Record<string, unknown>>(row.summary),
    error: toNullableString(row.error),
  };
}

export class KnexReconcileRunStore implements ReconcileRunStore {
  async start(
    q: Executor,
    run: Pick<ReconcileRun, 'id' | 'kind' | 'campaignId' | 'windowSince' | 'windowUntil' | 'startedAt'>,
  ): Promise<void> {
    await q('reconcile_runs').insert({
      id: run.id,
      kind: run.kind,
      status: 'running',
      campaign_id: run.campaignId,
      window_since: run.windowSince,
      window_until: run.windowUntil,
      started_at: run.startedAt,
    });
  }

  async finish(
    q: Executor,
    id: string,
    end: {
      status: 'ok' | 'failed';
      finishedAt: Date;
      summary: Record<string, unknown> | null;
      error?: string | null;
    },
  ): Promise<void> {
    await q('reconcile_runs')
      .where({ id })
      .update({
        status: end.status,
        finished_at: end.finishedAt,
        summary: end.summary === null ? null : JSON.stringify(end.summary),
        error: end.error ?? null,
      });
  }

  async get(q: Executor, id: string): Promise<ReconcileRun | null> {
    const row = await q<Row>('reconcile_runs').where({ id }).first();
    return row ? toRun(row) : null;
  }

  async latest(q: Executor, kind: ReconcileKind, limit: number): Promise<ReconcileRun[]> {
    const rows = await q<Row>('reconcile_runs')
      .where({ kind })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }
}
