import type { CampaignDefinition, Condition, RuleDefinition } from './campaign-types';
import { canonicalJson } from './canonical-json';
import { error, Finding, warning } from './finding';

/**
 * The conjuncts of a rule: the members of a top-level `all`, a single leaf as itself, anything else (`any`,
 * `not`) as one opaque conjunct. Each is canonical JSON, with a leading `$.` stripped from leaf paths.
 */
export function conjuncts(condition: Condition): Set<string> {
  const members = 'all' in condition && Array.isArray(condition.all) ? condition.all : [condition];
  return new Set(members.map((member) => canonicalJson(normalizeLeaf(member))));
}

function normalizeLeaf(condition: Condition): Condition {
  if ('fact' in condition && typeof condition.path === 'string' && condition.path.startsWith('$.')) {
    return { ...condition, path: condition.path.slice(2) };
  }
  return condition;
}

function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return [...a].every((item) => b.has(item));
}

/**
 * Finds a segment whose users are (partly) taken by an earlier segment, with a simple, sound
 * heuristic: both segments have a `when`, and the two rules are the same rule, or the conjuncts of one
 * are a subset of the other's. When the earlier rule's conjuncts are a subset of the later one's, every
 * user of the later segment matches the earlier one, so the later segment never matches. Each segment is
 * reported once, against the first earlier segment it overlaps. Segments after a catch-all are left to
 * the catch-all error.
 */
export function checkSegmentOverlap(
  campaign: CampaignDefinition,
  rules: ReadonlyMap<string, RuleDefinition>,
): Finding[] {
  const findings: Finding[] = [];
  const earlier: { id: string; rule: string; conjuncts: Set<string> }[] = [];
  for (const [index, segment] of campaign.segments.entries()) {
    if (segment.when === undefined) break;
    const rule = rules.get(segment.when);
    if (!rule) continue;
    const mine = conjuncts(rule.conditions);
    // A segment that never matches is an error, as one after a catch-all is: its rewards are never given. It is
    // looked for among all the earlier segments first, so a partial overlap with an earlier one does not hide it.
    // A partial overlap is a warning: both segments still take users.
    const covering = earlier.find((other) => other.rule === segment.when || isSubset(other.conjuncts, mine));
    const partial = earlier.find((other) => isSubset(mine, other.conjuncts));
    if (covering) {
      findings.push(
        error(
          ['segments', index, 'when'],
          `overlaps earlier segment "${covering.id}"; every user it matches also matches "${covering.id}", so this segment never matches: move it before "${covering.id}" or remove it`,
        ),
      );
    } else if (partial) {
      findings.push(
        warning(
          ['segments', index, 'when'],
          `overlaps earlier segment "${partial.id}"; users matching both get "${partial.id}"`,
        ),
      );
    }
    earlier.push({ id: segment.id, rule: segment.when, conjuncts: mine });
  }
  return findings;
}
