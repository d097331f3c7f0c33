import { Engine, type TopLevelCondition } from 'json-rules-engine';
import type { Condition, LeafCondition } from '../../../src/definitions/campaign-types';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts, type FactsInput } from '../../../src/rules/facts';
import { registerPocketOperators } from '../../../src/rules/operators';
import { createPathResolver } from '../../../src/rules/path-resolver';
import type { SegmentSpec } from './resolved-campaign-fixture';
import { resolvedCampaign } from './resolved-campaign-fixture';

/** mulberry32, so a failure is reproducible from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEAVES: LeafCondition[] = [
  { fact: 'profile', path: 'gender', operator: 'equal', value: 'female' },
  { fact: 'profile', path: 'gender', operator: 'notEqual', value: 'male' },
  { fact: 'profile', path: 'age', operator: 'between', value: [18, 30] },
  { fact: 'profile', path: 'age', operator: 'greaterThanInclusive', value: 40 },
  { fact: 'profile', path: 'city', operator: 'in', value: ['bj', 'sh'] },
  { fact: 'profile', path: 'city', operator: 'notIn', value: ['hz'] },
  { fact: 'profile', path: 'tags', operator: 'contains', value: 'vip' },
  { fact: 'profile', path: 'tags', operator: 'doesNotContain', value: 'student' },
  { fact: 'profile', path: 'tags', operator: 'containsAny', value: ['vip', 'seller'] },
  { fact: 'profile', path: 'tags', operator: 'someFact:startsWith', value: 's' },
  { fact: 'profile', path: 'age', operator: 'not:lessThan', value: 25 },
  { fact: 'context', path: 'channel', operator: 'swap:in', value: 'app' },
  { fact: 'context', path: 'appVersion', operator: 'startsWith', value: '8.' },
  { fact: 'history', path: 'grants', operator: 'lessThan', value: { fact: 'profile', path: 'quota' } },
  { fact: 'history', path: 'grantsToday', operator: 'equal', value: 0 },
];

function randomCondition(random: () => number, depth: number): Condition {
  const roll = random();
  const pick = (): LeafCondition => LEAVES[Math.floor(random() * LEAVES.length)] as LeafCondition;
  if (depth >= 3 || roll < 0.45) return pick();
  const children = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
    randomCondition(random, depth + 1),
  );
  if (roll < 0.7) return { all: children };
  if (roll < 0.9) return { any: children };
  return { not: children[0] as Condition };
}

function randomUser(random: () => number): FactsInput {
  const maybe = (value: unknown) => (random() < 0.2 ? undefined : random() < 0.1 ? null : value);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  return {
    profile: {
      gender: maybe(pick(['female', 'male'])),
      age: maybe(Math.floor(10 + random() * 60)),
      city: maybe(pick(['bj', 'sh', 'hz', 'cd'])),
      tags: maybe(['vip', 'student', 'seller', 'new'].filter(() => random() < 0.3)),
      quota: maybe(Math.floor(random() * 4)),
    },
    context: { channel: maybe(pick(['app', 'h5'])), appVersion: maybe(pick(['8.1.0', '7.9.2'])) },
    history: { grants: Math.floor(random() * 4), grantsToday: Math.floor(random() * 2) },
  };
}

/** The textbook setup: the same rules and operators, `engine.run` over every rule, first success in order. */
async function engineRunFirstMatch(
  rules: Record<string, Condition>,
  segments: SegmentSpec[],
  input: FactsInput,
) {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: createPathResolver() });
  registerPocketOperators(engine);
  for (const [name, conditions] of Object.entries(rules)) {
    const root =
      'all' in conditions || 'any' in conditions || 'not' in conditions ? conditions : { all: [conditions] };
    engine.addRule({ name, conditions: structuredClone(root) as TopLevelCondition, event: { type: name } });
  }
  const facts = buildFacts(input);
  const { results } = await engine.run({ ...facts });
  const passed = new Set(results.map((r) => r.name));
  return segments.find(([, when]) => when === undefined || passed.has(when))?.[0] ?? null;
}

describe('the hot path agrees with json-rules-engine on random rules and users', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: matchSegment = explain (Rule#evaluate) = engine.run',
    async (seed) => {
      const random = seeded(seed);
      const rules: Record<string, Condition> = {};
      for (let i = 0; i < 6; i++) rules[`r${i}`] = randomCondition(random, 0);
      const segments: SegmentSpec[] = Object.keys(rules).map((id) => [`s-${id}`, id] as const);
      if (seed % 2 === 0) segments.push(['everyone']);
      const compiled = compileCampaign(resolvedCampaign(rules, segments));
      for (let u = 0; u < 60; u++) {
        const input = randomUser(random);
        const facts = buildFacts(input);
        const matched = (await compiled.matchSegment(facts))?.id ?? null;
        const explained = (await compiled.explain(facts)).segment;
        const reference = await engineRunFirstMatch(rules, segments, input);
        expect({ seed, user: u, matched, explained }).toEqual({
          seed,
          user: u,
          matched: reference,
          explained: reference,
        });
      }
    },
  );
});
