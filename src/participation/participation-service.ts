/**
 * The participation pipeline (DESIGN.md "Participation pipeline", binding order):
 * validate body (controller) → idempotency lookup → pin the version snapshot → live? → rate limits →
 * client auth and activity code → per-user lock → facts → anti-fraud → segment match → reward choice →
 * atomic reserve → ledger transaction → respond.
 */
import { randomUUID } from 'node:crypto';
import { businessDate } from '../decision/business-date';
import { checkChannel, checkLiveFor } from '../decision/liveness';
import type { Random } from '../decision/random';
import { AppError, NotFoundError, RetryableConflictError } from '../errors/app-error';
import { failClosed } from '../errors/dependency-failure';
import type { HotState } from '../hot-state/hot-state';
import type { ProfileSource } from '../integrations/profile-source';
import type { RecommendationSource } from '../integrations/recommendation-source';
import type { ParticipationGuard } from '../protection/participation-guard';
import type { LiveRegistry } from '../publishing/live-registry';
import type { CounterRebuilder } from '../reconciliation/counter-rebuilder';
import { errorAnswer, refusalAnswer, type Answer, type BusinessRefusal } from './outcomes';
import { CodeNonceTakenError, type OutcomeRecord, type ParticipationLedger } from './participation-ledger';
import type { ParticipationRequest } from './participation-request';
import { GrantFlow } from './grant-flow';
import { withObservation } from '../observability/participation-event';
import { StepTimer } from '../observability/trace/step-timer';
import { TraceRecorder, tracePolicy } from '../observability/trace/trace-recorder';
import type { PipelineContext, PipelineTiming } from './pipeline-context';
import { mismatchAnswer, outcomeRecord, replay } from './stored-answers';

export interface ParticipationServiceDeps {
  registry: Pick<LiveRegistry, 'get'>;
  hotState: HotState;
  ledger: ParticipationLedger;
  profiles: ProfileSource;
  /** Scores for efficiency campaigns (RECOMMEND_URL); absent or null: the YAML scores. */
  recommendations?: RecommendationSource | null;
  guard: ParticipationGuard;
  rebuilder: Pick<CounterRebuilder, 'kick' | 'ensure'>;
  clock: () => Date;
  random: Random;
  timing?: Partial<PipelineTiming>;
}

const DEFAULT_TIMING: PipelineTiming = {
  lockTtlMs: 5000,
  lockWaitMs: 200,
  reservationTtlMs: 60000,
  doneTtlMs: 60000,
};

export class ParticipationService {
  private readonly timing: PipelineTiming;
  private readonly grants: GrantFlow;

  constructor(private readonly deps: ParticipationServiceDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.grants = new GrantFlow(deps, this.timing);
  }

  async participate(request: ParticipationRequest): Promise<Answer> {
    const timer = new StepTimer();
    const pinned: { ctx?: PipelineContext } = {};
    let answer: Answer;
    try {
      answer = await this.run(request, timer, pinned);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      answer = errorAnswer(error);
    }
    return withObservation(answer, timer, pinned.ctx?.trace ?? null, pinned.ctx?.snapshot.version ?? null);
  }

  private async run(
    request: ParticipationRequest,
    timer: StepTimer,
    pinned: { ctx?: PipelineContext },
  ): Promise<Answer> {
    const { ledger } = this.deps;
    const stored = await failClosed('ledger', () =>
      ledger.findStored(request.campaignId, request.userId, request.idempotencyKey),
    );
    timer.lap('idempotency');
    if (stored) return replay(stored, request);

    const snapshot = this.deps.registry.get(request.campaignId);
    if (!snapshot)
      throw new NotFoundError('campaign_not_found', `campaign "${request.campaignId}" does not exist`);
    timer.lap('pin');
    const now = this.deps.clock();
    const ctx: PipelineContext = {
      request,
      snapshot,
      now,
      businessDate: businessDate(now, snapshot.definition.timezone),
      participationId: randomUUID(),
      codeNonce: null,
      tester: snapshot.testers.has(request.userId),
      timer,
      trace: null,
      availability: null,
      committedReservation: null,
    };

    const policy = tracePolicy(snapshot.definition, ctx.tester, request.trace);
    if (policy.record) ctx.trace = new TraceRecorder(snapshot, ctx.businessDate, ctx.tester, policy.respond);
    pinned.ctx = ctx;
    const closed = this.liveness(ctx);
    timer.lap('live');
    if (closed) {
      // Refused credentials still get the liveness answer (DESIGN.md order), but nothing is stored under the user
      // they name: no caller without valid credentials may add to a user's participations (history) or take
      // that user's Idempotency-Key. So the answer names no participation: an id there was looked up in vain.
      if (request.clientRefusal) return { ...refusalAnswer(closed, snapshot.version, null), final: false };
      return this.unlessKeyRuns(ctx, () => this.recordRefusal(ctx, closed));
    }

    await this.deps.guard.rateLimit(snapshot, request);
    timer.lap('rate_limit');
    // Client auth: credentials were checked in front; their refusal is answered here, never stored.
    if (request.clientRefusal) throw request.clientRefusal;
    try {
      ctx.codeNonce = (await this.deps.guard.authorize(snapshot, request)).codeNonce;
      timer.lap('authorize');
    } catch (error) {
      if (error instanceof AppError && error.status === 403) {
        return this.unlessKeyRuns(ctx, () => this.recordForbidden(ctx, error));
      }
      throw error;
    }
    return this.locked(ctx);
  }

  /**
   * A final answer decided before the lock (the campaign not live, a 403 at authorize) is stored only when its key
   * is not running: the same request sent again while the first still runs was answered `paused` (and stored,
   * so the first, admitted before the pause, replayed it), and another body under the key got its own refusal
   * stored, the first then answered 422. As at the lock: 409 for the same request, 422 for another body, and a
   * key just done replays its answer.
   */
  private async unlessKeyRuns(ctx: PipelineContext, store: () => Promise<Answer>): Promise<Answer> {
    const { request, snapshot } = ctx;
    const state = await failClosed('hot-state', () =>
      this.deps.hotState.keyState({
        campaignId: snapshot.campaignId,
        userId: request.userId,
        idempotencyKey: request.idempotencyKey,
        requestHash: request.requestHash,
      }),
    );
    return state === 'free' ? store() : this.keyTaken(ctx, state);
  }

  /** The answer for a key another request holds (DESIGN.md Idempotency): in flight, with another body, or done. */
  private async keyTaken(ctx: PipelineContext, state: 'in_flight' | 'mismatch' | 'done'): Promise<Answer> {
    const { request, snapshot } = ctx;
    if (state === 'in_flight')
      throw new RetryableConflictError(
        'request_in_flight',
        'a request with this Idempotency-Key is in flight',
      );
    // The key runs with another body: retrying can never help (DESIGN.md: same key, different body → 422).
    if (state === 'mismatch') return mismatchAnswer();
    const stored = await failClosed('ledger', () =>
      this.deps.ledger.findStored(snapshot.campaignId, request.userId, request.idempotencyKey),
    );
    if (stored) return replay(stored, request);
    throw new RetryableConflictError(
      'request_in_flight',
      'a request with this Idempotency-Key just finished; retry',
    );
  }

  /** DESIGN.md "live?": window, status, pause overlay; then the entry channel. Testers may try before start. */
  private liveness(ctx: PipelineContext): BusinessRefusal | null {
    const { definition, paused } = ctx.snapshot;
    const live = checkLiveFor(definition, ctx.now, paused, ctx.tester);
    if (live !== 'live') return live;
    if (!checkChannel(definition, ctx.request.context.channel)) return 'channel_not_allowed';
    return null;
  }

  private async locked(ctx: PipelineContext): Promise<Answer> {
    const { hotState } = this.deps;
    const { request, snapshot } = ctx;
    const lockToken = randomUUID();
    // The lock and the idempotency marker, and in the same round trip the counters the reward choice reads: a
    // read, not a promise (the reserve checks again).
    const { begun, availability } = await failClosed('hot-state', () =>
      hotState.beginAndRead(
        {
          campaignId: snapshot.campaignId,
          userId: request.userId,
          idempotencyKey: request.idempotencyKey,
          requestHash: request.requestHash,
          lockToken,
          lockTtlMs: this.timing.lockTtlMs,
          markerTtlMs: this.timing.lockTtlMs,
          waitMs: this.timing.lockWaitMs,
        },
        { rewardIds: snapshot.definition.rewards.map((r) => r.id), businessDate: ctx.businessDate },
      ),
    );
    ctx.availability = availability;
    ctx.timer.lap('lock');
    if (begun === 'user_busy')
      throw new RetryableConflictError('user_busy', 'another request of this user is in flight; retry');
    if (begun !== 'ok') return this.keyTaken(ctx, begun);
    let final = false;
    try {
      const answer = await this.grantOrRefuse(ctx);
      final = answer.final;
      return answer;
    } finally {
      // A committed grant's confirm travels with the release; if it fails, the lock and marker expire by
      // themselves and the reservation is settled by reconciliation.
      await hotState
        .end({
          campaignId: snapshot.campaignId,
          userId: request.userId,
          idempotencyKey: request.idempotencyKey,
          lockToken,
          final,
          doneTtlMs: this.timing.doneTtlMs,
          confirmReservationId: ctx.committedReservation,
        })
        .catch(() => undefined);
      ctx.timer.lap('unlock');
    }
  }

  private async grantOrRefuse(ctx: PipelineContext): Promise<Answer> {
    try {
      const result = await this.grants.run(ctx);
      if (result.kind === 'answer') return result.answer;
      if (result.kind === 'forbidden') return this.recordForbidden(ctx, result.error, result.decision);
      return this.recordRefusal(ctx, result.outcome, result.segmentId, result.decision);
    } catch (error) {
      if (error instanceof AppError && error.status === 403) return this.recordForbidden(ctx, error);
      throw error;
    }
  }

  private async recordRefusal(
    ctx: PipelineContext,
    outcome: BusinessRefusal,
    segmentId: string | null = null,
    decision: Record<string, unknown> | null = null,
  ): Promise<Answer> {
    const answer = refusalAnswer(outcome, ctx.snapshot.version, ctx.participationId);
    return this.store(ctx, answer, outcome, segmentId, decision);
  }

  private recordForbidden(
    ctx: PipelineContext,
    error: AppError,
    decision: Record<string, unknown> | null = null,
  ): Promise<Answer> {
    return this.store(ctx, errorAnswer(error), error.code, null, decision);
  }

  /** Final answers are stored; when the scope already holds one (a parallel twin won), that one is replayed. */
  private async store(
    ctx: PipelineContext,
    answer: Answer,
    reason: string,
    segmentId: string | null,
    decision: Record<string, unknown> | null,
  ): Promise<Answer> {
    const record: OutcomeRecord = outcomeRecord(ctx, answer, reason, segmentId, decision);
    try {
      const stored = await failClosed('ledger', () => this.deps.ledger.recordAnswer(record));
      ctx.timer.lap('store');
      return stored.body === answer.body ? answer : replay(stored, ctx.request);
    } catch (error) {
      if (!(error instanceof CodeNonceTakenError)) throw error;
      // A parallel participation consumed the same activity code first: this one is refused for it.
      ctx.codeNonce = null;
      return this.recordForbidden(ctx, error);
    }
  }
}
