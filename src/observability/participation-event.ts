/**
 * Pure: the observation of one answered participation, from what the HTTP edge holds — the request, the exact
 * answer (its body carries the pinned version and the grant) and the campaign snapshot — plus what the
 * pipeline attached for this request (step times, segment, decision trace).
 */
import type { Answer } from '../participation/outcomes';
import type { ParticipationRequest } from '../participation/participation-request';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { ParticipationEvent } from './participation-observer';
import type { DecisionTrace } from './trace/decision-trace';
import type { PipelineStep, StepTimer } from './trace/step-timer';
import { tracePolicy, type TraceRecorder } from './trace/trace-recorder';

/** What the pipeline attaches to an answer it executed (never part of the stored body). */
export interface AnswerObservation {
  steps: Partial<Record<PipelineStep, number>>;
  segment: string | null;
  /** Recorded when the request is traced (see tracePolicy). */
  trace: DecisionTrace | null;
  /** A tester asked with ?trace=1 and the campaign traces testers: the answer carries the trace. */
  respond: boolean;
  /** The campaign version the pipeline pinned, when it said (the trace knows it for traced requests). */
  version: number | null;
}

export type ObservedAnswer = Answer & { observation?: AnswerObservation };

interface AnswerBody {
  campaignVersion?: unknown;
  grant?: {
    rewardId?: unknown;
    type?: unknown;
    amount?: unknown;
    charge?: unknown;
    test?: unknown;
    currency?: unknown;
  };
}

/**
 * The grant's currency: the answer's own (the version that granted it, as on the grant row). An answer stored
 * before answers carried one, replayed byte for byte, has none: then the campaign's snapshot, as before.
 */
function grantCurrency(
  grant: NonNullable<AnswerBody['grant']>,
  snapshot: CampaignSnapshot | undefined,
): string | null {
  if (typeof grant.currency === 'string' || grant.currency === null) return grant.currency;
  return snapshot?.definition.budget?.currency ?? null;
}

/**
 * A 503's dependency and message, from its body (`{ error: { code, message, dependency } }`): the line's
 * `reason` alone, dependency_unavailable, does not tell a Redis outage from a slow profile service.
 */
function unavailableOf(answer: Answer): ParticipationEvent['unavailable'] {
  if (answer.status !== 503) return null;
  try {
    const { error } = JSON.parse(answer.body) as { error?: { message?: unknown; dependency?: unknown } };
    if (typeof error?.dependency !== 'string') return null;
    return { dependency: error.dependency, detail: typeof error.message === 'string' ? error.message : '' };
  } catch {
    return null;
  }
}

function parseBody(answer: Answer): AnswerBody {
  if (answer.status !== 200 && answer.status !== 201) return {};
  try {
    return JSON.parse(answer.body) as AnswerBody;
  } catch {
    return {};
  }
}

/**
 * The pinned version of an answer whose body does not carry it (a 403, 429, 503…): what the pipeline said, else,
 * when it got past its pin step, the campaign's snapshot (the one it pinned, unless a publish landed meanwhile).
 * A replay has the version its stored answer was decided on; a request stopped before the pin (unknown
 * campaign) has none.
 */
function pinnedVersion(answer: ObservedAnswer, snapshot: CampaignSnapshot | undefined): number | null {
  if (answer.headers?.['Idempotent-Replayed'] === 'true') return answer.storedVersion ?? null;
  const observation = answer.observation;
  if (!observation) return null;
  if (observation.version !== null) return observation.version;
  return observation.steps.pin !== undefined ? (snapshot?.version ?? null) : null;
}

export function participationEvent(input: {
  request: Pick<ParticipationRequest, 'campaignId' | 'userId' | 'trace'>;
  requestId: string | null;
  answer: ObservedAnswer;
  latencyMs: number;
  snapshot: CampaignSnapshot | undefined;
}): ParticipationEvent {
  const { request, answer, snapshot } = input;
  const body = parseBody(answer);
  const tester = snapshot?.testers.has(request.userId) ?? false;
  const grant = body.grant;
  const observation = answer.observation;
  return {
    requestId: input.requestId,
    campaignId: request.campaignId,
    version:
      typeof body.campaignVersion === 'number' ? body.campaignVersion : pinnedVersion(answer, snapshot),
    known: snapshot !== undefined,
    userId: request.userId,
    outcome: answer.outcome,
    status: answer.status,
    replayed: answer.headers?.['Idempotent-Replayed'] === 'true',
    unavailable: unavailableOf(answer),
    tester,
    segment: observation?.segment ?? null,
    grant:
      answer.status === 201 && grant && typeof grant.rewardId === 'string'
        ? {
            rewardId: grant.rewardId,
            type: String(grant.type),
            amount: Number(grant.amount),
            charge: Number(grant.charge),
            currency: grantCurrency(grant, snapshot),
            test: grant.test === true,
          }
        : null,
    latencyMs: Math.round(input.latencyMs * 1000) / 1000,
    steps: observation?.steps ?? {},
    fine: snapshot ? tracePolicy(snapshot.definition, tester, request.trace).fine : false,
    trace: observation?.trace ?? null,
  };
}

/**
 * The answer to send: with `"trace": {…}` added to the body when a tester asked for it. The stored answer (and so
 * every replay of it) never has one: a replay did not run the decision it would describe.
 */
export function answerWithTrace(answer: ObservedAnswer): Answer {
  const observation = answer.observation;
  if (!observation?.respond || !observation.trace || !answer.body.endsWith('}')) return answer;
  return { ...answer, body: `${answer.body.slice(0, -1)},"trace":${JSON.stringify(observation.trace)}}` };
}

/**
 * The pipeline's answer with what it observed attached: the step times and, for a traced request, the decision
 * trace. A replay (the stored answer of an earlier execution) never carries a trace in its body.
 */
export function withObservation(
  answer: Answer,
  timer: StepTimer,
  trace: TraceRecorder | null,
  /** The version the pipeline pinned (null: it stopped before pinning one). */
  version: number | null = trace?.version ?? null,
): ObservedAnswer {
  const built = trace?.build(timer) ?? null;
  const replayed = answer.headers?.['Idempotent-Replayed'] === 'true';
  const observation: AnswerObservation = {
    steps: timer.steps(),
    segment: trace?.segmentId ?? null,
    trace: built,
    respond: (trace?.respond ?? false) && !replayed && (answer.status === 200 || answer.status === 201),
    version: replayed ? null : version,
  };
  return Object.assign(answer, { observation });
}
