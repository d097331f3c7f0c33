/**
 * Synthetic users for `dry-run --synthetic N`: profiles and contexts drawn from the values the campaign's
 * own rules mention (thresholds, enumerations, tags), so every segment has a fair chance to be reached.
 * Seeded: the same seed gives the same users.
 */
import type { CampaignDefinition, Condition, RuleDefinition } from '../definitions/campaign-types';
import { randomInt, type Random } from '../decision/random';
import type { SimulatedUser } from './evaluate-participant';

interface Domain {
  numbers: number[];
  strings: string[];
  /** The fact is a list (contains, containsAny, someFact, everyFact …). */
  list: boolean;
}

const LIST_OPERATORS = new Set(['contains', 'doesNotContain', 'containsAny']);
const LIST_DECORATORS = new Set(['someFact', 'everyFact']);

function leaves(
  condition: Condition,
): Array<{ fact: string; path: string; operator: string; value: unknown }> {
  if ('all' in condition) return condition.all.flatMap(leaves);
  if ('any' in condition) return condition.any.flatMap(leaves);
  if ('not' in condition) return leaves(condition.not);
  return [
    {
      fact: condition.fact,
      path: (condition.path ?? '').replace(/^\$\./, ''),
      operator: condition.operator,
      value: condition.value,
    },
  ];
}

/** The value domain of every `profile.*` and `context.*` path the rules read. */
export function collectDomains(rules: readonly RuleDefinition[]): Map<string, Domain> {
  const domains = new Map<string, Domain>();
  for (const rule of rules) {
    for (const leaf of leaves(rule.conditions)) {
      if (leaf.fact !== 'profile' && leaf.fact !== 'context') continue;
      if (leaf.path === '') continue;
      const key = `${leaf.fact}.${leaf.path}`;
      const domain = domains.get(key) ?? { numbers: [], strings: [], list: false };
      const parts = leaf.operator.split(':');
      const base = parts[parts.length - 1] ?? '';
      if (LIST_OPERATORS.has(base) || parts.some((p) => LIST_DECORATORS.has(p))) domain.list = true;
      const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      for (const v of values) {
        if (typeof v === 'number') domain.numbers.push(v);
        else if (typeof v === 'string') domain.strings.push(v);
      }
      domains.set(key, domain);
    }
  }
  for (const d of domains.values()) {
    d.numbers = [...new Set(d.numbers)].sort((a, b) => a - b);
    d.strings = [...new Set(d.strings)];
  }
  return domains;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function draw(domain: Domain, random: Random): unknown {
  if (domain.list) {
    const items = domain.strings.filter(() => random() < 0.35);
    if (random() < 0.2) items.push('other');
    return items;
  }
  if (domain.numbers.length > 0 && (domain.strings.length === 0 || random() < 0.5)) {
    const lo = Math.max(0, Math.floor((domain.numbers[0] ?? 0) * 0.7) - 3);
    const hi = Math.ceil((domain.numbers[domain.numbers.length - 1] ?? 0) * 1.3) + 3;
    return randomInt(random, lo, hi);
  }
  if (domain.strings.length > 0) return random() < 0.85 ? pick(random, domain.strings) : 'other';
  return random() < 0.5;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  keys.slice(0, -1).forEach((k) => {
    const next = node[k];
    node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (node[k] = {});
  });
  node[keys[keys.length - 1] as string] = value;
}

export function syntheticUserFactory(
  campaign: CampaignDefinition,
  rules: readonly RuleDefinition[],
  random: Random,
): (index: number) => SimulatedUser {
  const domains = [...collectDomains(rules)];
  const channels = campaign.entry.channels;
  return (index) => {
    const profile: Record<string, unknown> = {};
    const context: Record<string, unknown> = {};
    if (channels && channels.length > 0)
      context['channel'] = random() < 0.95 ? pick(random, channels) : 'web';
    for (const [key, domain] of domains) {
      if (random() < 0.05) continue; // some users lack the attribute: rules must treat missing as false
      const [fact, ...rest] = key.split('.');
      setPath(fact === 'profile' ? profile : context, rest.join('.'), draw(domain, random));
    }
    return { userId: `synthetic-${index + 1}`, profile, context };
  };
}
