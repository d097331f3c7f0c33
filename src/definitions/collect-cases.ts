import type { CasesFile, RuleDefinition } from './campaign-types';
import { checkCases } from './check-cases';
import type { CollectedCampaigns } from './collect-campaigns';
import { fileId } from './collect-campaigns';
import { error } from './finding';
import type { CasesEntry } from './definition-set';
import { LoadedFile, report } from './loaded-file';
import { positionOf } from './node-position';

/** Gathers cases files by campaign id and checks them against the campaigns. */
export function collectCases(
  files: readonly LoadedFile[],
  campaigns: CollectedCampaigns,
  rules: ReadonlyMap<string, RuleDefinition>,
): Map<string, CasesEntry> {
  const collected = new Map<string, CasesEntry>();
  for (const loaded of files) {
    if (!loaded.valid) continue;
    const cases = loaded.parsed?.data as CasesFile;
    report(
      loaded,
      checkCases(cases, {
        fileId: fileId(loaded.source.file),
        campaignIds: campaigns.ids,
        campaign: campaigns.campaigns.get(cases.campaign)?.definition,
        rules,
      }),
    );
    const existing = collected.get(cases.campaign);
    if (existing) {
      report(loaded, [
        error(['campaign'], `campaign "${cases.campaign}" already has cases in ${existing.file}`),
      ]);
    } else {
      const parsed = loaded.parsed;
      const positions = cases.cases.map((_, i) =>
        parsed ? positionOf(parsed.document, parsed.lineCounter, ['cases', i]) : { line: 1, col: 1 },
      );
      collected.set(cases.campaign, { file: loaded.source.file, cases, positions });
    }
  }
  return collected;
}
