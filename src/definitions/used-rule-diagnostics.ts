import type { CollectedCampaigns } from './collect-campaigns';
import type { CollectedRules } from './collect-rules';
import type { Diagnostic } from './diagnostic';
import type { LoadedFile } from './loaded-file';

/**
 * `pocket validate campaigns/x.yaml` reports the campaign's file, and a campaign is only as good as the rules
 * its segments use: the findings of those rules (`rules[i]` and below) are reported with it, from rules files
 * that are not themselves reported. A rules file that could not be read, parsed or validated as a whole may
 * hold a rule the campaign uses, so its file-level findings come too.
 */
export function usedRuleDiagnostics(
  rules: CollectedRules,
  campaigns: CollectedCampaigns,
  campaignFiles: readonly LoadedFile[],
  ruleFiles: readonly LoadedFile[],
): Diagnostic[] {
  const reported = new Set(campaignFiles.filter((f) => f.source.reported).map((f) => f.source.file));
  const found = new Set<Diagnostic>();
  for (const { file, definition } of campaigns.campaigns.values()) {
    if (!reported.has(file)) continue;
    for (const { when } of definition.segments) {
      if (when === undefined) continue;
      const source = rules.sources.get(when);
      if (source === undefined) {
        for (const broken of ruleFiles) {
          if (!broken.valid && !broken.source.reported) broken.diagnostics.forEach((d) => found.add(d));
        }
        continue;
      }
      if (source.loaded.source.reported) continue;
      const prefix = `rules[${source.index}]`;
      for (const d of source.loaded.diagnostics) {
        if (d.path === prefix || d.path.startsWith(`${prefix}.`) || d.path.startsWith(`${prefix}[`))
          found.add(d);
      }
    }
  }
  return [...found];
}
