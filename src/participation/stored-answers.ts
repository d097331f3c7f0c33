/** Final answers as stored in the ledger, and their byte-for-byte replay. */
import { UnprocessableError } from '../errors/app-error';
import { errorAnswer, type Answer } from './outcomes';
import type { OutcomeRecord, StoredAnswer } from './participation-ledger';
import type { ParticipationRequest } from './participation-request';
import type { PipelineContext } from './pipeline-context';

export function outcomeRecord(
  ctx: PipelineContext,
  answer: Answer,
  reason: string | null,
  segmentId: string | null,
  decision: Record<string, unknown> | null,
): OutcomeRecord {
  return {
    id: ctx.participationId,
    campaignId: ctx.snapshot.campaignId,
    userId: ctx.request.userId,
    idempotencyKey: ctx.request.idempotencyKey,
    requestHash: ctx.request.requestHash,
    campaignVersion: ctx.snapshot.version,
    outcome: answer.outcome,
    reason,
    status: answer.status,
    body: answer.body,
    businessDate: ctx.businessDate,
    segmentId,
    clientId: ctx.request.client.id,
    codeNonce: ctx.codeNonce,
    decision,
    createdAt: ctx.now,
  };
}

/** DESIGN.md Idempotency: the same key with a different body is a 422 (stored, or still running). */
export function mismatchAnswer(): Answer {
  return errorAnswer(
    new UnprocessableError(
      'idempotency_mismatch',
      'this Idempotency-Key was used with a different request body',
    ),
  );
}

/** DESIGN.md Idempotency: replay byte for byte; the same key with a different body is a 422. */
export function replay(stored: StoredAnswer, request: ParticipationRequest): Answer {
  if (stored.requestHash !== request.requestHash) return mismatchAnswer();
  return {
    status: stored.status,
    body: stored.body,
    final: true,
    outcome: stored.outcome,
    headers: { 'Idempotent-Replayed': 'true' },
    storedVersion: stored.campaignVersion,
  };
}
