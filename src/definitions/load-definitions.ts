import { collectCampaigns } from './collect-campaigns';
import { collectCases } from './collect-cases';
import { checkRuleProfilePaths } from './check-rule-profile-paths';
import { checkRuleRewards } from './check-rule-rewards';
import { collectRuleFindings } from './collect-rule-findings';
import { collectRules } from './collect-rules';
import { findDefinitionFiles } from './definition-files';
import type { CampaignDefinition } from './campaign-types';
import type { CasesEntry, DefinitionSet } from './definition-set';
import { compareDiagnostics } from './diagnostic';
import { loadFile } from './loaded-file';
import { usedRuleDiagnostics } from './used-rule-diagnostics';

export interface LoadDefinitionsOptions {
  /** The repository holding `campaigns/` and `rules/`. */
  root: string;
  /**
   * Files or directories (relative to the current directory) whose diagnostics are reported. Every file
   * in `root/campaigns` and `root/rules` is still loaded for the cross-file checks; files given here that
   * lie elsewhere are loaded too. Absent: everything is reported.
   */
  paths?: string[];
}

/**
 * Loads and validates a definitions repository: YAML parsing (safe, positions kept), JSON Schema validation,
 * then the cross-file checks. Never throws for bad definitions: every problem is a diagnostic.
 */
export async function loadDefinitions(options: LoadDefinitionsOptions): Promise<DefinitionSet> {
  const { files, diagnostics } = await findDefinitionFiles(options.root, options.paths);
  const loaded = await Promise.all(files.map(loadFile));
  const ofKind = (kind: string) => loaded.filter((l) => (l.looksLike ?? l.source.kind) === kind);
  const rules = collectRules(ofKind('rules'));
  const validRules = mapValues(rules.rules, 'rule');
  const campaigns = collectCampaigns(ofKind('campaign'), {
    ids: rules.ids,
    complete: rules.complete,
    rules: validRules,
  });
  const cases = collectCases(ofKind('cases'), campaigns, validRules);
  collectRuleFindings(rules, campaigns, ofKind('campaign'), (rule, at, campaign, segmentId) => [
    ...checkRuleRewards(rule, at, campaign, segmentId),
    ...checkRuleProfilePaths(
      rule,
      at,
      campaign,
      segmentId,
      exampleProfiles(campaign, cases.get(campaign.id)),
    ),
  ]);
  for (const file of loaded) if (file.source.reported) diagnostics.push(...file.diagnostics);
  diagnostics.push(...usedRuleDiagnostics(rules, campaigns, ofKind('campaign'), ofKind('rules')));
  return {
    campaigns: campaigns.campaigns,
    rules: rules.rules,
    cases,
    diagnostics: diagnostics.sort(compareDiagnostics),
  };
}

/** The profiles an operator wrote for a campaign: its testers' and its cases'. */
function exampleProfiles(
  campaign: CampaignDefinition,
  cases: CasesEntry | undefined,
): Record<string, unknown>[] {
  const ofCases = (cases?.cases.cases ?? []).flatMap((c) => (c.profile === undefined ? [] : [c.profile]));
  return [...(campaign.testers ?? []).map((t) => t.profile), ...ofCases];
}

function mapValues<K, V, F extends keyof V>(map: ReadonlyMap<K, V>, field: F): Map<K, V[F]> {
  return new Map([...map].map(([key, value]) => [key, value[field]]));
}
