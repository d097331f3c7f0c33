import { checkRuleRewards } from './check-rule-rewards';
import type { CollectedCampaigns } from './collect-campaigns';
import type { CollectedRules } from './collect-rules';
import { LoadedFile, toDiagnostic } from './loaded-file';

/**
 * Checks the `history.rewards.<rewardId>` paths of every rule against each campaign that uses it (once per
 * campaign and rule, for its first segment naming the rule). The error sits in the rules file, where the path
 * is written; it is shown when either the rules file or the campaign file is reported.
 */
export function collectRuleRewards(
  rules: CollectedRules,
  campaigns: CollectedCampaigns,
  campaignFiles: readonly LoadedFile[],
): void {
  for (const { file, definition } of campaigns.campaigns.values()) {
    const campaignFile = campaignFiles.find((f) => f.source.file === file);
    const checked = new Set<string>();
    for (const segment of definition.segments) {
      if (segment.when === undefined || checked.has(segment.when)) continue;
      checked.add(segment.when);
      const source = rules.sources.get(segment.when);
      const parsed = source?.loaded.parsed;
      if (source === undefined || parsed === undefined) continue;
      const rule = rules.rules.get(segment.when)?.rule;
      if (rule === undefined) continue;
      const diagnostics = checkRuleRewards(rule, ['rules', source.index], definition, segment.id).map((f) =>
        toDiagnostic(parsed, f),
      );
      const shownWith =
        !source.loaded.source.reported && campaignFile?.source.reported ? campaignFile : source.loaded;
      shownWith.diagnostics.push(...diagnostics);
    }
  }
}
