/**
 * What every participation leaves behind: one structured log line and its metrics. The coarse line carries
 * campaign, version, outcome class, reason code, reward, status, latency, request id (and a 503's dependency),
 * and no personal data beyond the user id; the fine line (campaign `log: fine`, or a traced tester) adds the step
 * times, the segment and the decision trace — with the facts only for testers, whose profiles are synthetic.
 */
import type { Logger } from './logger';
import type { PocketMetrics } from './metrics/pocket-metrics';
import { withoutPersonalData, type DecisionTrace } from './trace/decision-trace';
import type { PipelineStep } from './trace/step-timer';

/** 403s of client auth (a token of the wrong scope or user): a gateway's mistake, not a fraud signal. */
const CLIENT_AUTH_REFUSALS: ReadonlySet<string> = new Set(['forbidden_scope', 'user_mismatch']);

export type OutcomeClass = 'granted' | 'refused' | 'forbidden' | 'rejected' | 'unavailable' | 'error';

export interface ParticipationEvent {
  requestId: string | null;
  campaignId: string;
  /** null when no version was pinned (unknown campaign, a replay, a request refused before). */
  version: number | null;
  /** Whether the campaign exists (a metric label is only ever a known campaign id). */
  known: boolean;
  userId: string;
  /** The answer's outcome or error code. */
  outcome: string;
  status: number;
  /** The stored answer of an earlier execution was sent again. */
  replayed: boolean;
  /** A 503's dependency and the answer's message (which one is down, or the counters being rebuilt); else null. */
  unavailable: { dependency: string; detail: string } | null;
  tester: boolean;
  segment: string | null;
  grant: {
    rewardId: string;
    type: string;
    amount: number;
    charge: number;
    currency: string | null;
    test: boolean;
  } | null;
  latencyMs: number;
  steps: Partial<Record<PipelineStep, number>>;
  fine: boolean;
  trace: DecisionTrace | null;
}

export function outcomeClass(status: number): OutcomeClass {
  if (status === 201) return 'granted';
  if (status === 200) return 'refused';
  if (status === 403) return 'forbidden';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'error';
  return 'rejected';
}

export interface ParticipationObserver {
  observe(event: ParticipationEvent): void;
}

/** The log line of one participation (pure: what `observe` writes). */
export function participationLine(event: ParticipationEvent): Record<string, unknown> {
  const line: Record<string, unknown> = {
    requestId: event.requestId,
    campaign: event.campaignId,
    version: event.version,
    userId: event.userId,
    outcome: outcomeClass(event.status),
    reason: event.outcome,
    reward: event.grant?.rewardId ?? null,
    status: event.status,
    latencyMs: event.latencyMs,
  };
  if (event.unavailable) {
    line['dependency'] = event.unavailable.dependency;
    line['detail'] = event.unavailable.detail;
  }
  if (event.replayed) line['replayed'] = true;
  if (event.tester) line['tester'] = true;
  if (!event.fine) return line;
  line['segment'] = event.segment;
  line['steps'] = event.steps;
  if (event.grant) line['grant'] = event.grant;
  if (event.trace) line['trace'] = event.tester ? event.trace : withoutPersonalData(event.trace);
  return line;
}

export class LoggingObserver implements ParticipationObserver {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Pick<
      PocketMetrics,
      | 'participations'
      | 'participationDuration'
      | 'stepDuration'
      | 'grants'
      | 'spend'
      | 'rateLimited'
      | 'fraudRejections'
      | 'dependencyUnavailable'
    > | null,
  ) {}

  observe(event: ParticipationEvent): void {
    this.logger.info(participationLine(event), 'participation');
    const m = this.metrics;
    if (!m) return;
    const campaign = event.known ? event.campaignId : '(unknown)';
    const outcome = event.replayed ? 'replayed' : outcomeClass(event.status);
    m.participations.inc({ campaign, outcome, reason: event.outcome, test: String(event.tester) });
    m.participationDuration.observe({ campaign, outcome }, event.latencyMs / 1000);
    for (const [step, ms] of Object.entries(event.steps)) m.stepDuration.observe({ step }, ms / 1000);
    if (event.replayed) return;
    if (event.grant) {
      const { rewardId: reward, type, test } = event.grant;
      m.grants.inc({ campaign, reward, type, test: String(test) });
      if (!test && event.grant.charge > 0) {
        m.spend.inc({ campaign, reward, currency: event.grant.currency ?? '' }, event.grant.charge);
      }
    }
    if (event.outcome === 'rate_limited') m.rateLimited.inc({ campaign });
    if (event.status === 403 && !CLIENT_AUTH_REFUSALS.has(event.outcome))
      m.fraudRejections.inc({ campaign, reason: event.outcome });
    if (event.unavailable)
      m.dependencyUnavailable.inc({ campaign, dependency: event.unavailable.dependency });
  }
}
