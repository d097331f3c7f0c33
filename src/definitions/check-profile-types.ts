import { evaluateOperator } from '../rules/operators';
import { numberIn } from '../rules/type-slip-hint';
import { resolvePath } from '../rules/path-resolver';
import { isPlainPath } from '../rules/vocabulary';
import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { conditionLeaves } from './condition-leaves';
import { describeValue } from './describe-value';
import { DocPath, Finding, warning } from './finding';

/** Where a plain path's field sits in the profile's document: list items by index, map entries by key. */
function docPathOf(profile: unknown, field: string): DocPath {
  let node = profile;
  return field.split('.').map((key) => {
    const step = Array.isArray(node) ? Number(key) : key;
    node = (node as Record<string, unknown> | undefined)?.[key];
    return step;
  });
}

function holdsNumber(value: unknown): boolean {
  return typeof value === 'number' || (Array.isArray(value) && value.some((v) => typeof v === 'number'));
}

/**
 * An example profile (a tester's, a case's) that quotes a number (`age: "22"`) against a rule that compares the
 * field with numbers: pocket's operators are type-strict, so the tester lands in another segment and nothing says
 * why until `explain`. Warned about at the profile's field, only where the number would change the condition.
 */
export function checkProfileTypes(
  profile: Readonly<Record<string, unknown>>,
  at: DocPath,
  campaign: CampaignDefinition,
  rules: ReadonlyMap<string, RuleDefinition>,
): Finding[] {
  const findings: Finding[] = [];
  const warned = new Set<string>();
  for (const segment of campaign.segments) {
    const rule = segment.when === undefined ? undefined : rules.get(segment.when);
    if (rule === undefined) continue;
    for (const { node } of conditionLeaves(rule.conditions, [])) {
      const { fact, path, operator, value } = node;
      if (fact !== 'profile' || typeof path !== 'string' || !isPlainPath(path)) continue;
      // A rule on text (`equal "310000"`) means the text: only a rule that compares with numbers is a slip.
      if (typeof operator !== 'string' || !holdsNumber(value)) continue;
      const field = path.startsWith('$.') ? path.slice(2) : path;
      const text = resolvePath(profile, path);
      if (typeof text !== 'string' || warned.has(field)) continue;
      const n = numberIn(text);
      if (n === undefined || evaluateOperator(operator, text, value) === evaluateOperator(operator, n, value))
        continue;
      warned.add(field);
      const holds = (v: unknown): string => (evaluateOperator(operator, v, value) ? 'true' : 'false');
      const message = `${describeValue(text)} is text, not a number: rule "${rule.id}" (segment "${segment.id}") reads profile.${field} with ${operator} ${describeValue(value)}, ${holds(n)} for the number ${n} but ${holds(text)} for the text; write ${n} without quotes`;
      findings.push(warning([...at, ...docPathOf(profile, field)], message));
    }
  }
  return findings;
}
