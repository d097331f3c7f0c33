import { resolvePath } from '../rules/path-resolver';
import { isPlainPath } from '../rules/vocabulary';
import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { conditionLeaves, isFactReference } from './condition-leaves';
import { closest } from './did-you-mean';
import { DocPath, Finding, warning } from './finding';

type Profile = Readonly<Record<string, unknown>>;

/** Every dotted path a profile holds (`address`, `address.city`); lists are not entered. */
function pathsOf(profile: Profile, prefix: string, into: Set<string>): void {
  for (const [key, value] of Object.entries(profile)) {
    into.add(prefix + key);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      pathsOf(value as Profile, `${prefix}${key}.`, into);
  }
}

/**
 * The profile is free-form, so a misspelt field (`vipLevl`) is valid YAML and a valid rule, yet false for every
 * user. The campaign's testers' and cases' profiles are the operator's own examples of it: a `profile` path none
 * of them holds, while one of their fields is spelt nearly alike, is warned about with that field. A path with
 * nothing close, or a campaign without example profiles, says nothing (the profile may hold more fields).
 */
export function checkRuleProfilePaths(
  rule: RuleDefinition,
  ruleAt: DocPath,
  campaign: CampaignDefinition,
  segmentId: string,
  profiles: readonly Profile[],
): Finding[] {
  const known = new Set<string>();
  profiles.forEach((p) => pathsOf(p, '', known));
  const findings: Finding[] = [];
  for (const { node, at } of conditionLeaves(rule.conditions, [...ruleAt, 'conditions'])) {
    const reads: [Record<string, unknown>, DocPath][] = [[node, at]];
    if (isFactReference(node['value'])) reads.push([node['value'], [...at, 'value']]);
    for (const [{ fact, path }, where] of reads) {
      if (fact !== 'profile' || typeof path !== 'string' || !isPlainPath(path)) continue;
      if (profiles.some((p) => resolvePath(p, path) !== undefined)) continue;
      const written = path.startsWith('$.') ? path.slice(2) : path;
      const meant = closest(written, known);
      if (meant === undefined) continue;
      const message = `profile field "${written}" is in no tester or case profile of campaign "${campaign.id}" (its segment "${segmentId}" uses this rule): did you mean "${meant}"? A profile without the field makes the condition false`;
      findings.push(warning([...where, 'path'], message));
    }
  }
  return findings;
}
