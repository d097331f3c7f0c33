import type { CampaignDefinition, CasesFile } from './campaign-types';
import { didYouMean } from './did-you-mean';
import { error, Finding } from './finding';
import type { DocPath } from './finding';
import { duplicateIdFindings } from './first-occurrences';

export interface CasesContext {
  /** The cases file's id: its name without `.test.yaml`. */
  fileId: string;
  /** Every campaign id defined in campaigns/, including ids of campaigns that failed validation. */
  campaignIds: ReadonlySet<string>;
  /** The campaign under test, when it is valid; its segments and rewards are then checked. */
  campaign: CampaignDefinition | undefined;
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

/**
 * Checks a schema-valid cases file: it names a known campaign, is named after it (`<id>.test.yaml`), case
 * names are unique, and expected segments and rewards exist in the campaign.
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
  if (!campaign) return findings;
  const segmentIds = campaign.segments.map((s) => s.id);
  const rewardIds = campaign.rewards.map((r) => r.id);
  cases.cases.forEach(({ expect }, i) => {
    const at = ['cases', i, 'expect'];
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
