import { validCounts, type DefinitionSet } from './definition-set';
import { DefinitionsInvalidError } from './definitions-invalid-error';
import { hasErrors } from './diagnostic';
import { loadDefinitions } from './load-definitions';
import { ResolvedCampaign, resolveCampaign } from './resolve-campaign';

/**
 * Loads, validates and resolves every campaign under `root` (ordered by id). Server start, publish,
 * dry-run, test and explain all go through here. Throws DefinitionsInvalidError when any error exists.
 */
export async function loadResolvedCampaigns(
  root: string,
): Promise<{ resolved: ResolvedCampaign[]; set: DefinitionSet }> {
  const set = await loadDefinitions({ root });
  if (hasErrors(set.diagnostics)) throw new DefinitionsInvalidError(set.diagnostics, validCounts(set));
  const rules = new Map([...set.rules].map(([id, { rule }]) => [id, rule]));
  const resolved = [...set.campaigns.values()]
    .map(({ definition }) => resolveCampaign(definition, rules))
    .sort((a, b) => (a.definition.id < b.definition.id ? -1 : 1));
  return { resolved, set };
}
