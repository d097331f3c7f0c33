/**
 * One participation decided without I/O, in the service's order: live? → channel → account age (the
 * profile-only part of the anti-fraud screen) → segment match → reward choice → per-user limits.
 * `pocket test`, `dry-run` and `explain` all decide through here, with the same compiled rules and decision
 * code as the service. The anti-fraud checks that need live state (blocklist, accounts per device, risk
 * service) and the other per-request checks (rate limits, activity codes) are not made.
 */
import type { Availability } from '../decision/availability';
import { businessDate } from '../decision/business-date';
import type { Choice } from '../decision/choice';
import { chooseReward } from '../decision/choose-reward';
import { checkChannel, checkLiveFor } from '../decision/liveness';
import type { Random } from '../decision/random';
import type { CampaignDefinition, SegmentDefinition } from '../definitions/campaign-types';
import type { BusinessRefusal } from '../participation/outcomes';
import { accountAgeCheck, type AccountAgeDecision } from '../protection/fraud-decisions';
import type { CompiledCampaign } from '../rules/compiled-campaign';
import { buildFacts, type Facts, type HistoryFact } from '../rules/facts';
import { impliedHistory } from '../rules/history-shape';

export interface SimulatedUser {
  userId: string;
  profile: Record<string, unknown>;
  context: Record<string, unknown>;
  history?: Partial<HistoryFact>;
}

/** What a simulated participation can end in: the service's 403 `velocity` (account age) among them. */
export type SimulatedOutcome = 'granted' | BusinessRefusal | 'velocity';

export interface Evaluation {
  outcome: SimulatedOutcome;
  /**
   * The account-age decision (`protection.velocity.minAccountAgeDays`), as the service stores it under
   * `fraud.accountAge`; null when the campaign has no such check or the participation stopped before it.
   */
  accountAge: AccountAgeDecision | null;
  segment: SegmentDefinition | null;
  choice: Choice | null;
  businessDate: string;
  facts: Facts;
}

/** The facts of a simulated user; `campaign` gives every one of its rewards a count of 0 in `history.rewards`. */
export function factsOf(user: SimulatedUser, campaign?: CampaignDefinition): Facts {
  const history: HistoryFact = {
    participations: 0,
    grants: 0,
    grantsToday: 0,
    rewards: {},
    ...impliedHistory(user.history ?? {}),
  };
  const rewardIds = campaign?.rewards.map((r) => r.id) ?? [];
  return buildFacts({ profile: user.profile, context: user.context, history }, rewardIds);
}

export async function evaluateParticipant(input: {
  compiled: CompiledCampaign;
  user: SimulatedUser;
  now: Date;
  availability: Availability;
  random: Random;
  /** The business date of `now` in the campaign timezone, when the caller already has it (dry-run caches it). */
  businessDate?: string;
}): Promise<Evaluation> {
  const campaign = input.compiled.resolved.definition;
  const date = input.businessDate ?? businessDate(input.now, campaign.timezone);
  const facts = factsOf(input.user, campaign);
  const refused = { segment: null, choice: null, businessDate: date, facts, accountAge: null };
  const tester = campaign.testers?.some((t) => t.userId === input.user.userId) ?? false;
  const live = checkLiveFor(campaign, input.now, false, tester);
  if (live !== 'live') return { ...refused, outcome: live };
  const channel = input.user.context['channel'];
  if (!checkChannel(campaign, typeof channel === 'string' ? channel : undefined)) {
    return { ...refused, outcome: 'channel_not_allowed' };
  }
  const accountAge = accountAgeCheck(campaign.protection, facts.profile);
  const base = { ...refused, accountAge };
  if (accountAge?.result === 'deny') return { ...base, outcome: 'velocity' };
  const segment = await input.compiled.matchSegment(facts);
  if (!segment) return { ...base, outcome: 'not_eligible' };
  const choice = chooseReward({
    campaign,
    segment,
    availability: input.availability,
    now: input.now,
    random: input.random,
    businessDate: date,
  });
  if (choice.kind === 'unavailable') return { ...base, segment, choice, outcome: choice.outcome };
  const perUser = campaign.limits?.perUser;
  const { history } = facts;
  if (
    (perUser?.total !== undefined && history.grants >= perUser.total) ||
    (perUser?.daily !== undefined && history.grantsToday >= perUser.daily)
  ) {
    return { ...base, segment, choice, outcome: 'limit_reached' };
  }
  return { ...base, segment, choice, outcome: 'granted' };
}

/**
 * Whether the participation stopped before segments are matched (liveness, channel or account age): such an evaluation has
 * no segment, whatever the rules would say, as in the service. `explain` and `test` show the rules' results
 * anyway, so this tells a reader why a segment the conditions match is not the answer.
 */
export function decidedBeforeSegments(evaluation: {
  outcome: string;
  segment: object | string | null;
}): boolean {
  return evaluation.segment === null && evaluation.outcome !== 'not_eligible';
}

/**
 * Every reward this evaluation could have given: the efficiency pick, or, for a weighted draw, every
 * available segment reward with a positive weight, plus the fallback when one of them is unavailable and
 * the fallback itself is not known to be unavailable.
 */
export function possibleRewards(evaluation: Evaluation, decision: CampaignDefinition['decision']): string[] {
  const { choice } = evaluation;
  if (!choice || choice.kind !== 'reward') return [];
  if (decision.strategy === 'efficiency') return [choice.reward.id];
  const segmentOnes = choice.candidates.filter((c) => c.role === 'segment' && c.weight > 0);
  const ids = segmentOnes.filter((c) => c.available).map((c) => c.rewardId);
  const { fallback } = decision;
  const fallbackUnavailable = choice.candidates.some((c) => c.rewardId === fallback && !c.available);
  if (fallback !== undefined && !fallbackUnavailable && segmentOnes.some((c) => !c.available)) {
    ids.push(fallback);
  }
  return [...new Set(ids)];
}
