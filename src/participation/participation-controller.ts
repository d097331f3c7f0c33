/** POST /v1/campaigns/{id}/participations: validates the request, runs the pipeline, sends the exact answer. */
import { performance } from 'node:perf_hooks';
import { Router, type Request, type Response } from 'express';
import { ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import { validateRequest } from '../http/request-validation';
import type { ParticipationService } from './participation-service';
import {
  requestHash,
  type ClientIdentity,
  type ParticipationContext,
  type ParticipationRequest,
} from './participation-request';
import { answerWithTrace } from '../observability/participation-event';
import type { Answer } from './outcomes';
import { withoutPort } from '../shared/ip-address';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY_RULE = 'must be 1-128 characters of A-Z a-z 0-9 . _ : -';
const KEY_REPEATED = 'must be sent once: with two, which key is meant is unclear';

interface Body {
  userId: string;
  activityCode?: string;
  context?: ParticipationContext;
}

function sendAnswer(res: Response, answer: Answer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.set(name, value);
  res.type('application/json').send(answer.body);
}

function readRequest(req: Request): ParticipationRequest {
  const fields: FieldError[] = [];
  const campaignId = String(req.params['id'] ?? '');
  checkCampaignId(campaignId, 'id', fields);
  const key = req.get('Idempotency-Key');
  if (key === undefined) fields.push({ path: 'Idempotency-Key', message: 'header is required' });
  else if (!IDEMPOTENCY_KEY.test(key)) {
    // Two headers arrive joined (`k, k`), which the rule refuses: then it would blame a key never sent.
    const repeated = (req.headersDistinct['idempotency-key']?.length ?? 0) > 1;
    fields.push({ path: 'Idempotency-Key', message: repeated ? KEY_REPEATED : KEY_RULE });
  }
  // `trace=true` or `trace=yes` would otherwise give a tester no trace and no word why.
  const trace = req.query['trace'];
  if (trace !== undefined && trace !== '1') {
    fields.push({ path: 'trace', message: 'must be 1 (a tester asks for the decision trace), or left out' });
  }
  let body: Body;
  try {
    body = validateRequest<Body>('participation-request.schema.json', req.body);
  } catch (error) {
    // Every problem at once: the path and header ones, then the body's.
    if (!(error instanceof ValidationError) || fields.length === 0) throw error;
    const more = (error.details['fields'] as FieldError[] | undefined) ?? [];
    throw new ValidationError('invalid request', [...fields, ...more]);
  }
  if (fields.length > 0) throw new ValidationError('invalid request', fields);
  const locals = req.res?.locals ?? {};
  const client = (locals['client'] as ClientIdentity | undefined) ?? { kind: 'anonymous', id: null };
  const refusal = locals['clientRefusal'] as Error | undefined;
  return {
    campaignId,
    userId: body.userId,
    idempotencyKey: key as string,
    ...(body.activityCode === undefined ? {} : { activityCode: body.activityCode }),
    context: body.context ?? {},
    ip: withoutPort(req.ip ?? ''),
    client,
    ...(refusal === undefined ? {} : { clientRefusal: refusal }),
    requestHash: requestHash(body),
    trace: trace === '1',
  };
}

/** Told about every answered participation: its log line and metrics (src/observability). */
export type AnswerListener = (
  request: ParticipationRequest,
  answer: Answer,
  latencyMs: number,
  res: Response,
) => void;

const INTERNAL_ERROR: Answer = { status: 500, final: false, outcome: 'internal_error', body: '' };

export function participationRouter(service: ParticipationService, onAnswer?: AnswerListener): Router {
  const router = Router();
  router.post('/v1/campaigns/:id/participations', async (req, res) => {
    const request = readRequest(req);
    const started = performance.now();
    let answer: Answer;
    try {
      answer = await service.participate(request);
    } catch (error) {
      onAnswer?.(request, INTERNAL_ERROR, performance.now() - started, res);
      throw error;
    }
    onAnswer?.(request, answer, performance.now() - started, res);
    res.locals['outcome'] = answer.outcome;
    sendAnswer(res, answerWithTrace(answer));
  });
  return router;
}
