/**
 * The part of the pipeline that runs under the per-user lock: facts → anti-fraud → segment match → scores
 * (efficiency only) → reward choice → atomic reserve → ledger transaction. Releases happen only after a definite rollback
 * (DESIGN.md correctness rules); an unknown commit is left to reconciliation.
 */
import { randomUUID } from 'node:crypto';
import { availabilityFromUsage } from '../decision/availability';
import { campaignWindow } from '../decision/campaign-window';
import type { Choice } from '../decision/choice';
import { chooseReward } from '../decision/choose-reward';
import { rewardById } from '../decision/reward-by-id';
import type { SegmentDefinition } from '../definitions/campaign-types';
import { DependencyUnavailableError, ForbiddenError, RetryableConflictError } from '../errors/app-error';
import { failClosed } from '../errors/dependency-failure';
import type { Reservation, UserCounters } from '../hot-state/hot-state';
import { userCountersTtlMs } from '../hot-state/user-counter-ttl';
import { reserveLimits, type CampaignSnapshot } from '../publishing/campaign-snapshot';
import { buildFacts, type Facts, type HistoryFact } from '../rules/facts';
import { grantedAnswer, type Answer, type BusinessRefusal } from './outcomes';
import { normalizeIp } from '../shared/ip-address';
import type { GrantDraft } from './participation-ledger';
import { grantFences } from '../ledger/grant-fences';
import type { ParticipationServiceDeps } from './participation-service';
import type { PipelineContext, PipelineTiming } from './pipeline-context';
import { outcomeRecord, replay } from './stored-answers';

export type FlowResult =
  | { kind: 'answer'; answer: Answer }
  | {
      kind: 'refusal';
      outcome: BusinessRefusal;
      segmentId: string | null;
      decision: Record<string, unknown> | null;
    }
  /** `decision` carries the anti-fraud decisions, stored with the refusal. */
  | { kind: 'forbidden'; error: ForbiddenError; decision?: Record<string, unknown> };

/**
 * How many reserves one participation makes at most. A reserve that lost a race re-runs the choice on a fresh
 * read (see lostRaceExcludes).
 */
const MAX_RESERVE_ATTEMPTS = 3;

/**
 * Whether the reward whose reserve lost a race (README Decisions → Decision, "Lost reserve races") is left out of
 * the next choice. Stock: always, the slot is gone. Budget: only when no attempt would remain after the next
 * one; otherwise the fresh read decides, as if it had been this request's read: a red packet is cut down to
 * what remains when that is still ≥ min, and is unavailable (the fallback) below it. Excluding it at once gave
 * the fallback to users who lost a race at a budget's end while what remained still paid a smaller packet.
 */
function lostRaceExcludes(reason: 'out_of_stock' | 'budget_exhausted', attempt: number): boolean {
  return reason === 'out_of_stock' || attempt + 2 >= MAX_RESERVE_ATTEMPTS;
}

/** How long this participation's user counts are kept in hot state: a day past the campaign's window. */
const userTtl = (ctx: PipelineContext): number =>
  userCountersTtlMs(campaignWindow(ctx.snapshot.definition).end, ctx.now.getTime());

const EMPTY_HISTORY: HistoryFact = { participations: 0, grants: 0, grantsToday: 0, rewards: {} };

function usesHistory(snapshot: CampaignSnapshot): boolean {
  return /"fact":"history"/.test(JSON.stringify(snapshot.compiled.resolved.rules));
}

export class GrantFlow {
  private readonly historyNeeded = new WeakMap<CampaignSnapshot, boolean>();

  constructor(
    private readonly deps: ParticipationServiceDeps,
    private readonly timing: PipelineTiming,
  ) {}

  async run(ctx: PipelineContext): Promise<FlowResult> {
    const { snapshot, request } = ctx;
    const facts = await this.facts(ctx);
    ctx.timer.lap('facts');
    const verdict = await this.deps.guard.screen(snapshot, request, facts);
    ctx.timer.lap('fraud');
    const decision: Record<string, unknown> = { fraud: verdict.decisions };
    if (verdict.action === 'deny')
      return {
        kind: 'forbidden',
        error: new ForbiddenError(verdict.reason, `refused: ${verdict.reason}`),
        decision,
      };

    let segment: SegmentDefinition | null;
    if (verdict.action === 'soft') {
      const fallback = snapshot.definition.decision.fallback;
      if (fallback === undefined) {
        return {
          kind: 'forbidden',
          error: new ForbiddenError(verdict.reason, `refused: ${verdict.reason}`),
          decision,
        };
      }
      // The fallback replaces the segment's rewards, never the segment: a risky user no segment takes is
      // not_eligible, as a safe one is (a risky score made a user eligible for the fallback).
      const matched = await snapshot.compiled.matchSegment(facts);
      segment = matched ? { id: '(risk-soft)', rewards: [{ reward: fallback, weight: 1 }] } : null;
    } else {
      segment = await snapshot.compiled.matchSegment(facts);
    }
    ctx.timer.lap('segment');
    if (ctx.trace) {
      await ctx.trace.decided(facts, verdict.decisions, segment?.id ?? null);
      ctx.timer.lap('trace');
    }
    if (!segment) return { kind: 'refusal', outcome: 'not_eligible', segmentId: null, decision };
    decision['segment'] = segment.id;
    const scores = verdict.action === 'soft' ? undefined : await this.recommend(ctx, segment, decision);
    return this.reserveAndRecord(ctx, segment, decision, scores);
  }

  /**
   * Efficiency campaigns with a recommendation service: its scores override the YAML ones. The service is
   * advisory: when it fails, the YAML scores decide and the decision records why (never a 503).
   */
  private async recommend(
    ctx: PipelineContext,
    segment: SegmentDefinition,
    decision: Record<string, unknown>,
  ): Promise<Record<string, number> | undefined> {
    const { snapshot, request } = ctx;
    const source = this.deps.recommendations;
    if (!source || snapshot.definition.decision.strategy !== 'efficiency') return undefined;
    const rewardIds = segment.rewards
      .map((e) => e.reward)
      .filter((id) => rewardById(snapshot.definition, id).type !== 'none');
    if (rewardIds.length === 0) return undefined;
    try {
      const scores = await source.scores({
        campaignId: snapshot.campaignId,
        userId: request.userId,
        rewardIds,
        context: { ...request.context },
      });
      decision['recommendation'] = { result: 'scored', scores };
      return scores;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      decision['recommendation'] = { result: 'fallback', error: error.message };
      return undefined;
    } finally {
      ctx.timer.lap('recommend');
    }
  }

  private async facts(ctx: PipelineContext): Promise<Facts> {
    const { snapshot, request } = ctx;
    const testerProfile = snapshot.testers.get(request.userId);
    let needHistory = this.historyNeeded.get(snapshot);
    if (needHistory === undefined) {
      needHistory = usesHistory(snapshot);
      this.historyNeeded.set(snapshot, needHistory);
    }
    const [profile, history] = await Promise.all([
      testerProfile
        ? Promise.resolve(testerProfile)
        : failClosed('profile', () => this.deps.profiles.profile(request.userId)),
      needHistory
        ? failClosed('ledger', () =>
            this.deps.ledger.history(snapshot.campaignId, request.userId, ctx.businessDate),
          )
        : Promise.resolve(EMPTY_HISTORY),
    ]);
    return buildFacts(
      { profile, context: { ...request.context, ip: normalizeIp(request.ip) }, history },
      snapshot.definition.rewards.map((r) => r.id),
    );
  }

  private async reserveAndRecord(
    ctx: PipelineContext,
    segment: SegmentDefinition,
    decision: Record<string, unknown>,
    scores: Record<string, number> | undefined,
  ): Promise<FlowResult> {
    const { snapshot, request } = ctx;
    const { hotState } = this.deps;
    const exclude = new Map<string, 'out_of_stock' | 'budget_exhausted'>();
    // A weighted campaign draws once per participation: a retry keeps the draw (see chooseReward), so a budget
    // race gives the same reward again, its amount drawn anew against the fresh read.
    let draw: number | undefined;
    let budgetRaceLost = false;
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      const hot =
        (attempt === 0 ? ctx.availability : null) ??
        (await failClosed('hot-state', () =>
          hotState.availability(
            snapshot.campaignId,
            snapshot.definition.rewards.map((r) => r.id),
            ctx.businessDate,
          ),
        ));
      if (!hot.initialized) throw this.uninitialized(snapshot.campaignId);
      const choice = chooseReward({
        campaign: snapshot.definition,
        segment,
        availability: availabilityFromUsage(snapshot.definition, {
          granted: hot.stockUsed,
          spent: hot.spent,
          dailySpent: hot.dailySpent,
        }),
        now: ctx.now,
        random: this.deps.random,
        exclude,
        ...(scores === undefined ? {} : { scores }),
        ...(draw === undefined ? {} : { draw }),
        businessDate: ctx.businessDate,
      });
      draw = choice.draw;
      ctx.trace?.counters('before', hot);
      ctx.trace?.chose(choice);
      ctx.timer.lap('choice');
      decision['choice'] = summarize(choice);
      if (choice.kind === 'unavailable')
        return { kind: 'refusal', outcome: choice.outcome, segmentId: segment.id, decision };

      const reservationId = randomUUID();
      const reserved = await failClosed('hot-state', () =>
        hotState.reserve({
          campaignId: snapshot.campaignId,
          reservationId,
          userId: request.userId,
          rewardId: choice.reward.id,
          charge: choice.charge,
          spends: !ctx.tester,
          businessDate: ctx.businessDate,
          limits: reserveLimits(snapshot, choice.reward),
          ttlMs: this.timing.reservationTtlMs,
          now: ctx.now.getTime(),
          userTtlMs: userTtl(ctx),
        }),
      );
      ctx.timer.lap('reserve');
      ctx.trace?.reserved(reserved.ok ? 'ok' : reserved.reason);
      if (reserved.ok) return this.record(ctx, segment, choice, reserved.reservation, decision);
      if (reserved.reason === 'uninitialized') throw this.uninitialized(snapshot.campaignId);
      if (reserved.reason === 'limit_reached') return this.limitReached(ctx, segment, decision);
      budgetRaceLost ||= reserved.reason === 'budget_exhausted';
      if (lostRaceExcludes(reserved.reason, attempt)) exclude.set(choice.reward.id, reserved.reason);
    }
    const outcome = budgetRaceLost ? 'budget_exhausted' : 'out_of_stock';
    return { kind: 'refusal', outcome, segmentId: segment.id, decision };
  }

  private uninitialized(campaignId: string): DependencyUnavailableError {
    this.deps.rebuilder.kick(campaignId);
    return new DependencyUnavailableError(
      'hot-state',
      'hot counters are being rebuilt from the ledger; retry shortly',
    );
  }

  /**
   * The hot per-user count says the limit is reached. limit_reached is stored and replayed, so only the
   * ledger's own count may say it: the hot count also holds live reservations, and one whose ledger write had
   * an unknown outcome may never become a grant (reconciliation settles it within its TTL). Below the limit in
   * the ledger, the answer is a transient 409 user_busy, and the user's retry gets its real answer.
   */
  private async limitReached(
    ctx: PipelineContext,
    segment: SegmentDefinition,
    decision: Record<string, unknown>,
  ): Promise<FlowResult> {
    const { snapshot, request } = ctx;
    const counters = await failClosed('ledger', () =>
      this.deps.ledger.userCounters(snapshot.campaignId, request.userId),
    );
    const perUser = snapshot.definition.limits?.perUser;
    const limits = { userLimit: perUser?.total ?? null, dailyUserLimit: perUser?.daily ?? null };
    if (!limitReachedIn(counters, limits, ctx.businessDate)) {
      throw new RetryableConflictError(
        'user_busy',
        'an earlier participation of this user is still being settled; retry',
      );
    }
    return { kind: 'refusal', outcome: 'limit_reached', segmentId: segment.id, decision };
  }

  private async record(
    ctx: PipelineContext,
    segment: SegmentDefinition,
    choice: Extract<Choice, { kind: 'reward' }>,
    reservation: Reservation,
    decision: Record<string, unknown>,
  ): Promise<FlowResult> {
    const { snapshot, request } = ctx;
    const { hotState, ledger } = this.deps;
    const grant: GrantDraft = {
      id: randomUUID(),
      reservationId: reservation.id,
      rewardId: choice.reward.id,
      rewardType: choice.reward.type,
      amount: choice.amount,
      charge: choice.charge,
      currency: snapshot.definition.budget?.currency ?? null,
      test: ctx.tester,
      fences: grantFences(reservation, reserveLimits(snapshot, choice.reward)),
    };
    const answer = grantedAnswer(
      {
        id: grant.id,
        rewardId: grant.rewardId,
        type: grant.rewardType,
        amount: grant.amount,
        charge: grant.charge,
        test: grant.test,
        currency: grant.currency,
      },
      snapshot.version,
      ctx.participationId,
    );
    const participation = outcomeRecord(ctx, answer, null, segment.id, decision);
    const written = await ledger.recordGrant(participation, grant);
    ctx.timer.lap('ledger');
    const campaignId = snapshot.campaignId;
    const release = (): Promise<unknown> =>
      hotState.release(campaignId, reservation.id).catch(() => undefined);

    switch (written.kind) {
      case 'committed':
        if (ctx.trace) {
          const rewardIds = snapshot.definition.rewards.map((r) => r.id);
          const after = await hotState
            .availability(campaignId, rewardIds, ctx.businessDate)
            .catch(() => null);
          ctx.trace.counters('after', after);
          ctx.timer.lap('trace');
        }
        // Confirmed by the lock's release, in the same round trip (if that fails, the reservation expires and
        // reconciliation keeps it).
        ctx.committedReservation = reservation.id;
        return { kind: 'answer', answer };
      case 'duplicate':
        await release();
        if (written.stored) return { kind: 'answer', answer: replay(written.stored, request) };
        throw new DependencyUnavailableError(
          'ledger',
          'the answer for this Idempotency-Key is not readable yet; retry',
        );
      case 'code_used':
        await release();
        ctx.codeNonce = null;
        return {
          kind: 'forbidden',
          error: new ForbiddenError('code_used', 'this activity code has already been used'),
        };
      case 'fence':
        if (written.resource === 'user_total' || written.resource === 'user_daily') {
          await release();
          const counters = await failClosed('ledger', () => ledger.userCounters(campaignId, request.userId));
          await hotState.primeUser(campaignId, request.userId, counters, userTtl(ctx)).catch(() => undefined);
          // limit_reached is stored and replayed, so only the ledger's own count may say it. Under the limit,
          // a grant of this user committed at the same moment (its lock was lost) with the same sequence
          // number: that is transient.
          if (!limitReachedIn(counters, grant.fences, ctx.businessDate))
            throw new RetryableConflictError(
              'user_busy',
              'another request of this user was granted meanwhile; retry',
            );
          return { kind: 'refusal', outcome: 'limit_reached', segmentId: segment.id, decision };
        }
        // The hot counters disagree with the ledger: forget this reservation (its slot or range is taken in the
        // ledger, so giving it back would be wrong), drop the counters and rebuild them from the ledger. The
        // reservation also counted this grant for the user, which the ledger refused: re-prime the user's
        // counts from the ledger, or a phantom grant would later answer limit_reached.
        await hotState.confirm(campaignId, reservation.id).catch(() => undefined);
        await hotState.invalidate(campaignId).catch(() => undefined);
        await ledger
          .userCounters(campaignId, request.userId)
          .then((counters) => hotState.primeUser(campaignId, request.userId, counters, userTtl(ctx)))
          .catch(() => undefined);
        throw this.uninitialized(campaignId);
      case 'failed':
        if (written.definite) await release();
        throw new DependencyUnavailableError('ledger');
    }
  }
}

/** Whether the ledger's own counts of a user reach the per-user limits the grant was fenced with. */
function limitReachedIn(
  counters: UserCounters,
  fences: Pick<GrantDraft['fences'], 'userLimit' | 'dailyUserLimit'>,
  businessDate: string,
): boolean {
  if (fences.userLimit !== null && counters.total >= fences.userLimit) return true;
  return fences.dailyUserLimit !== null && (counters.daily[businessDate] ?? 0) >= fences.dailyUserLimit;
}

function summarize(choice: Choice): Record<string, unknown> {
  return choice.kind === 'reward'
    ? {
        rewardId: choice.reward.id,
        source: choice.source,
        amount: choice.amount,
        charge: choice.charge,
        draw: choice.draw ?? null,
      }
    : { unavailable: choice.outcome, draw: choice.draw ?? null };
}
