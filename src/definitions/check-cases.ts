import { historyInputProblems } from '../rules/history-shape';
import type { CampaignDefinition, CaseDefinition, CasesFile, RuleDefinition } from './campaign-types';
import { checkProfileTypes } from './check-profile-types';
import { didYouMean } from './did-you-mean';
import { error, Finding, warning } from './finding';
import type { DocPath } from './finding';
import { duplicateIdFindings } from './first-occurrences';

export interface CasesContext {
  /** The cases file's id: its name without `.test.yaml`. */
  fileId: string;
  /** Every campaign id defined in campaigns/, including ids of campaigns that failed validation. */
  campaignIds: ReadonlySet<string>;
  /** The campaign under test, when it is valid; its segments and rewards are then checked. */
  campaign: CampaignDefinition | undefined;
  /** Valid rules by id: a case profile's quoted number is checked against the rules the campaign uses. */
  rules: ReadonlyMap<string, RuleDefinition>;
}

function checkIn(
  what: string,
  value: string,
  ids: readonly string[],
  campaign: string,
  at: DocPath,
): Finding[] {
  if (ids.includes(value)) return [];
  return [
    error(at, `${what} "${value}" is not a ${what} of campaign "${campaign}"${didYouMean(value, ids)}`),
  ];
}

/** A case's `history` against the closed shape of the history fact (and the campaign's rewards, if known). */
function checkHistory(c: CaseDefinition, at: DocPath, campaign: CampaignDefinition | undefined): Finding[] {
  if (c.history === undefined) return [];
  const rewards = campaign && { known: campaign.rewards.map((r) => r.id), campaign: campaign.id };
  return historyInputProblems({ ...c.history }, 'property', rewards).map((p) => ({
    ...error([...at, 'history', ...p.path], p.message),
    at: p.at,
  }));
}

/**
 * A case's `userId` only selects a tester, whose profile the case uses when it gives none. An unknown one
 * without a profile would run with an empty profile: an error. With a profile of its own it changes nothing:
 * a warning.
 */
function checkUserId(c: CaseDefinition, at: DocPath, campaign: CampaignDefinition): Finding[] {
  if (c.userId === undefined) return [];
  const testers = (campaign.testers ?? []).map((t) => t.userId);
  if (testers.includes(c.userId)) return [];
  const known = testers.length > 0 ? `; testers: ${testers.join(', ')}` : '; the campaign has no testers';
  const hint = didYouMean(c.userId, testers) || known;
  const what = `userId "${c.userId}" is not a tester of campaign "${campaign.id}"${hint}`;
  return c.profile === undefined
    ? [
        error(
          [...at, 'userId'],
          `${what}: without a profile of its own the case would run with an empty profile`,
        ),
      ]
    : [warning([...at, 'userId'], `${what}: the case uses its own profile, so the userId changes nothing`)];
}

/**
 * Checks a schema-valid cases file: it names a known campaign, is named after it (`<id>.test.yaml`), case
 * names are unique, histories have the history fact's shape, userIds (testers), expected segments and
 * rewards exist in the campaign, an expected `velocity` has the account-age check that can give it, and profiles
 * quote no number a used rule compares as one.
 */
export function checkCases(cases: CasesFile, context: CasesContext): Finding[] {
  const id = cases.campaign;
  if (!context.campaignIds.has(id)) {
    return [
      error(
        ['campaign'],
        `campaign "${id}" is not defined in campaigns/${didYouMean(id, context.campaignIds)}`,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (context.fileId !== id) {
    findings.push(error(['campaign'], `cases for campaign "${id}" must be in ${id}.test.yaml`));
  }
  findings.push(
    ...duplicateIdFindings(
      'case name',
      cases.cases.map((c, i) => ({ id: c.name, path: ['cases', i, 'name'] })),
    ),
  );
  const campaign = context.campaign;
  cases.cases.forEach((c, i) => findings.push(...checkHistory(c, ['cases', i], campaign)));
  if (!campaign) return findings;
  cases.cases.forEach((c, i) => findings.push(...checkUserId(c, ['cases', i], campaign)));
  cases.cases.forEach(({ profile }, i) => {
    if (profile === undefined) return;
    findings.push(...checkProfileTypes(profile, ['cases', i, 'profile'], campaign, context.rules));
  });
  const segmentIds = campaign.segments.map((s) => s.id);
  const rewardIds = campaign.rewards.map((r) => r.id);
  const ageCheck = (campaign.protection?.velocity?.minAccountAgeDays ?? 0) > 0;
  cases.cases.forEach(({ expect }, i) => {
    const at = ['cases', i, 'expect'];
    if (expect.outcome === 'velocity' && !ageCheck) {
      findings.push(
        error(
          [...at, 'outcome'],
          `outcome velocity can never happen here: campaign "${id}" sets no protection.velocity.minAccountAgeDays above 0, ` +
            'the one velocity check `pocket test` makes (accounts per device need live state and are not simulated)',
        ),
      );
    }
    if (typeof expect.segment === 'string') {
      findings.push(...checkIn('segment', expect.segment, segmentIds, id, [...at, 'segment']));
    }
    if (expect.reward !== undefined)
      findings.push(...checkIn('reward', expect.reward, rewardIds, id, [...at, 'reward']));
    (expect.rewards ?? []).forEach((reward, j) =>
      findings.push(...checkIn('reward', reward, rewardIds, id, [...at, 'rewards', j])),
    );
  });
  return findings;
}
