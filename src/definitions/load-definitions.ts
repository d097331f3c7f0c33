import { collectCampaigns } from './collect-campaigns';
import { collectCases } from './collect-cases';
import { collectRuleRewards } from './collect-rule-rewards';
import { collectRules } from './collect-rules';
import { findDefinitionFiles } from './definition-files';
import type { DefinitionSet } from './definition-set';
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
  const campaigns = collectCampaigns(ofKind('campaign'), {
    ids: rules.ids,
    complete: rules.complete,
    rules: mapValues(rules.rules, 'rule'),
  });
  collectRuleRewards(rules, campaigns, ofKind('campaign'));
  const cases = collectCases(ofKind('cases'), campaigns);
  for (const file of loaded) if (file.source.reported) diagnostics.push(...file.diagnostics);
  diagnostics.push(...usedRuleDiagnostics(rules, campaigns, ofKind('campaign'), ofKind('rules')));
  return {
    campaigns: campaigns.campaigns,
    rules: rules.rules,
    cases,
    diagnostics: diagnostics.sort(compareDiagnostics),
  };
}

function mapValues<K, V, F extends keyof V>(map: ReadonlyMap<K, V>, field: F): Map<K, V[F]> {
  return new Map([...map].map(([key, value]) => [key, value[field]]));
}
