/**
 * Synthetic users for `dry-run --synthetic N`: profiles and contexts drawn from the values the campaign's
 * own rules mention (thresholds, enumerations, tags), so every segment has a fair chance to be reached.
 * A campaign with `protection.velocity.minAccountAgeDays` also gets every user an account age
 * (`registeredDays`), as the profile service gives every real account one (see `accountAge`).
 * Seeded: the same seed gives the same users.
 */
import type { CampaignDefinition, Condition, RuleDefinition } from '../definitions/campaign-types';
import { randomInt, type Random } from '../decision/random';
import { ACCOUNT_AGE_FIELD } from '../protection/fraud-decisions';
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

const AGE_KEY = `profile.${ACCOUNT_AGE_FIELD}`;
/** Without a rule reading the account age: this share of users is newer than the minimum. */
const YOUNG_SHARE = 0.1;
/** … and the others are spread over the two years from the minimum on. */
const AGE_SPREAD_DAYS = 730;

/**
 * How a campaign with `minAccountAgeDays` gets an account age on every synthetic user: from the rules'
 * domain of `registeredDays` widened to the minimum and the day before it, when rules read it; otherwise
 * a tenth below the minimum and the rest spread over two years from it. Null without the check.
 */
function accountAge(
  campaign: CampaignDefinition,
  domains: Map<string, Domain>,
): ((r: Random) => number) | null {
  const min = campaign.protection?.velocity?.minAccountAgeDays ?? 0;
  if (min <= 0) return null;
  const read = domains.get(AGE_KEY);
  if (read) {
    const numbers = [...new Set([...read.numbers, min - 1, min])].sort((a, b) => a - b);
    domains.delete(AGE_KEY);
    const widened: Domain = { numbers, strings: [], list: false };
    return (random) => draw(widened, random) as number;
  }
  return (random) =>
    random() < YOUNG_SHARE ? randomInt(random, 0, min - 1) : randomInt(random, min, min + AGE_SPREAD_DAYS);
}

export function syntheticUserFactory(
  campaign: CampaignDefinition,
  rules: readonly RuleDefinition[],
  random: Random,
): (index: number) => SimulatedUser {
  const domainMap = collectDomains(rules);
  const age = accountAge(campaign, domainMap);
  const domains = [...domainMap];
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
    // Never missing: every real account has an age, and a missing one is refused (403 velocity).
    if (age) profile[ACCOUNT_AGE_FIELD] = age(random);
    return { userId: `synthetic-${index + 1}`, profile, context };
  };
}
