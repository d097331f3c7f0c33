import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import type { CollectedCampaigns } from './collect-campaigns';
import type { CollectedRules } from './collect-rules';
import type { DocPath, Finding } from './finding';
import { LoadedFile, toDiagnostic } from './loaded-file';

/** A check of one rule against one campaign using it: `ruleAt` is the rule's path in its rules file. */
export type RuleInCampaignCheck = (
  rule: RuleDefinition,
  ruleAt: DocPath,
  campaign: CampaignDefinition,
  segmentId: string,
) => Finding[];

/**
 * Runs checks that need both a rule and a campaign using it (a rule is bound to a campaign only by a segment's
 * `when`), once per campaign and rule, for its first segment naming the rule. The findings sit in the rules
 * file, where the rule is written; they are shown when either the rules file or the campaign file is reported.
 */
export function collectRuleFindings(
  rules: CollectedRules,
  campaigns: CollectedCampaigns,
  campaignFiles: readonly LoadedFile[],
  check: RuleInCampaignCheck,
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
      const diagnostics = check(rule, ['rules', source.index], definition, segment.id).map((f) =>
        toDiagnostic(parsed, f),
      );
      const shownWith =
        !source.loaded.source.reported && campaignFile?.source.reported ? campaignFile : source.loaded;
      shownWith.diagnostics.push(...diagnostics);
    }
  }
}
