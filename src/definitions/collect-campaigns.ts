import { isCampaignId } from '../http/campaign-id';
import type { CampaignDefinition } from './campaign-types';
import { checkCampaign, KnownRules } from './check-campaign';
import { fileId } from './definition-files';
import { error } from './finding';
import { LoadedFile, report } from './loaded-file';

export interface CollectedCampaigns {
  /** Valid campaigns by id. */
  campaigns: Map<string, { file: string; definition: CampaignDefinition }>;
  /**
   * Every campaign id seen, including campaigns that failed validation: a campaign file that could not be read
   * or parsed, or whose id differs from its file name, still names its campaign by its file name (which the id
   * must equal), so the cases named after the file are not blamed for the file's error.
   */
  ids: Set<string>;
}

export { fileId } from './definition-files';

/**
 * Gathers campaigns and runs the per-campaign checks. A campaign's id must equal its file name, and may
 * be defined once (`x.yaml` and `x.yml` cannot both exist).
 */
export function collectCampaigns(files: readonly LoadedFile[], known: KnownRules): CollectedCampaigns {
  const collected: CollectedCampaigns = { campaigns: new Map(), ids: new Set() };
  const byName = new Map(files.map((f) => [fileId(f.source.file), f.source.file]));
  for (const loaded of files) {
    const data = loaded.parsed?.data as { id?: unknown } | null | undefined;
    if (typeof data?.id === 'string') collected.ids.add(data.id);
    if (!loaded.valid) {
      collected.ids.add(fileId(loaded.source.file));
      continue;
    }
    const definition = data as CampaignDefinition;
    const expected = fileId(loaded.source.file);
    collected.ids.add(expected);
    const owner = byName.get(definition.id);
    // A file name that is no id (`Spring Sale.yaml`, `spring_sale.yaml`) cannot be offered as one: following
    // "set id: Spring Sale" gave the kebab-case error next.
    const named = isCampaignId(expected);
    if (definition.id !== expected && owner !== undefined) {
      // A copied campaign that kept its id: the file named for the id owns it, the copy takes its own name.
      const fix = named
        ? `set id: ${expected}`
        : `give the copy a kebab-case file name (not "${expected}") and set id to it`;
      const message = `id "${definition.id}" is the campaign in ${owner}, and a campaign id is never reused: ${fix}`;
      report(loaded, [error(['id'], message), ...checkCampaign(definition, known)]);
      continue;
    }
    if (definition.id !== expected) {
      const fix = named
        ? `rename the file to ${definition.id}.yaml or set id: ${expected}`
        : `rename the file to ${definition.id}.yaml ("${expected}" is no campaign id: ${fileId(loaded.source.file).length > 64 ? 'ids are at most 64 characters' : 'ids are kebab-case'})`;
      report(loaded, [error(['id'], `id "${definition.id}" must equal the file name: ${fix}`)]);
    }
    const existing = collected.campaigns.get(definition.id);
    if (existing) {
      report(loaded, [
        error(['id'], `duplicate campaign id "${definition.id}"; already defined in ${existing.file}`),
      ]);
    } else {
      collected.campaigns.set(definition.id, { file: loaded.source.file, definition });
    }
    report(loaded, checkCampaign(definition, known));
  }
  return collected;
}
