/**
 * `pocket test`: runs a campaign's `<id>.test.yaml` cases through the same decision code as the service.
 * Rewards are checked deterministically: `reward: X` passes only when X is the one possible reward, and
 * `rewards: [...]` when every possible reward is in the list (a weighted draw may give any of them).
 */
import { unlimitedAvailability } from '../decision/availability';
import { campaignWindow } from '../decision/campaign-window';
import { seededRandom } from '../decision/random';
import type { CaseDefinition } from '../definitions/campaign-types';
import type { AccountAgeDecision } from '../protection/fraud-decisions';
import type { CompiledCampaign, Explanation } from '../rules/compiled-campaign';
import { accountAgeText } from './account-age-text';
import { refusalText } from './refusal-text';
import {
  decidedBeforeSegments,
  evaluateParticipant,
  possibleRewards,
  type Evaluation,
} from './evaluate-participant';

export interface CaseResult {
  name: string;
  passed: boolean;
  failures: string[];
  actual: {
    outcome: string;
    segment: string | null;
    rewards: string[];
    at: string;
    /** The account-age check (minAccountAgeDays), as the service stores it; absent when not made. */
    accountAge?: AccountAgeDecision;
  };
  explanation: Explanation;
}

function caseTime(compiled: CompiledCampaign, c: CaseDefinition): Date {
  if (c.at !== undefined) return new Date(c.at);
  const { start, end } = campaignWindow(compiled.resolved.definition);
  return new Date(start + Math.floor((end - start) / 2));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Why a segment is not what the case expects, when no other failure says it: the outcome. A participation
 * refused before segments are matched (liveness, channel) has no segment even when the conditions (shown with
 * the failure) match one.
 */
function segmentReason(evaluation: Evaluation, wantedOutcome: string | undefined): string {
  if (decidedBeforeSegments(evaluation))
    return ` (outcome ${evaluation.outcome}, decided before segments are matched)`;
  if (wantedOutcome !== undefined && wantedOutcome !== evaluation.outcome) return '';
  return evaluation.outcome === 'granted' ? '' : ` (outcome ${evaluation.outcome})`;
}

export async function runCase(
  compiled: CompiledCampaign,
  c: CaseDefinition,
  index: number,
): Promise<CaseResult> {
  const campaign = compiled.resolved.definition;
  const userId = c.userId ?? `case-${index + 1}`;
  const tester = campaign.testers?.find((t) => t.userId === userId);
  const user = {
    userId,
    profile: c.profile ?? tester?.profile ?? {},
    context: { ...c.context },
    ...(c.history === undefined ? {} : { history: c.history }),
  };
  const at = caseTime(compiled, c);
  const evaluation = await evaluateParticipant({
    compiled,
    user,
    now: at,
    availability: unlimitedAvailability(),
    random: seededRandom(c.name),
  });
  const explanation = await compiled.explain(evaluation.facts);
  const rewards = evaluation.outcome === 'granted' ? possibleRewards(evaluation, campaign.decision) : [];
  const actual = {
    outcome: evaluation.outcome,
    segment: evaluation.segment?.id ?? null,
    rewards,
    at: at.toISOString(),
    ...(evaluation.accountAge ? { accountAge: evaluation.accountAge } : {}),
  };
  const failures: string[] = [];
  const { expect: want } = c;
  if (want.outcome !== undefined && want.outcome !== actual.outcome) {
    failures.push(`expected outcome ${want.outcome}, got ${actual.outcome}`);
  }
  if (want.segment !== undefined && want.segment !== actual.segment) {
    failures.push(
      `expected segment ${want.segment ?? 'none'}, got ${actual.segment ?? 'none'}${segmentReason(evaluation, want.outcome)}`,
    );
  }
  if (want.reward !== undefined && !sameSet([want.reward], rewards)) {
    failures.push(
      rewards.length === 0
        ? `expected reward ${want.reward}, got no reward (${actual.outcome})`
        : `expected reward ${want.reward}, but the possible rewards are ${rewards.join(', ')}`,
    );
  }
  if (want.rewards !== undefined) {
    const extra = rewards.filter((r) => !want.rewards?.includes(r));
    if (rewards.length === 0)
      failures.push(`expected one of ${want.rewards.join(', ')}, got no reward (${actual.outcome})`);
    else if (extra.length > 0)
      failures.push(`expected one of ${want.rewards.join(', ')}, but it can also give ${extra.join(', ')}`);
  }
  // A failure that involves the account-age check (refused by it, or expected to be): say what it read.
  if (
    failures.length > 0 &&
    evaluation.accountAge &&
    (actual.outcome === 'velocity' || want.outcome === 'velocity')
  ) {
    failures.push(`account age ${accountAgeText(evaluation.accountAge, evaluation.facts.profile)}`);
  }
  // A failure whose participation was refused before its segments: say which setting refused it.
  const refused = refusalText(campaign, actual.outcome, user.context, at);
  if (failures.length > 0 && refused && want.outcome !== actual.outcome)
    failures.push(`${refused[0]}: ${refused[1]}`);
  return { name: c.name, passed: failures.length === 0, failures, actual, explanation };
}

export async function runCases(
  compiled: CompiledCampaign,
  cases: readonly CaseDefinition[],
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) results.push(await runCase(compiled, c, i));
  return results;
}
