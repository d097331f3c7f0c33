import type { Condition } from '../../../src/definitions/campaign-types';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts, type FactsInput } from '../../../src/rules/facts';
import { resolvedCampaign } from './resolved-campaign-fixture';

/**
 * Whether `condition` holds for `input`, through the real compiled campaign: a one-segment campaign whose
 * rule is `condition` (a leaf is wrapped in `all`). It asks both evaluation paths, the hot path
 * (`matchSegment`, pocket's short-circuit walk) and `explain` (json-rules-engine's own Rule#evaluate), and
 * fails loudly if they ever disagree.
 */
export async function evaluateCondition(condition: Condition, input: FactsInput): Promise<boolean> {
  const root =
    'all' in condition || 'any' in condition || 'not' in condition ? condition : { all: [condition] };
  const compiled = compileCampaign(resolvedCampaign({ rule: root }));
  const facts = buildFacts(input);
  const matched = (await compiled.matchSegment(facts)) !== null;
  const explained = (await compiled.explain(facts)).segment !== null;
  if (matched !== explained) {
    throw new Error(
      `matchSegment (${matched}) and explain (${explained}) disagree on ${JSON.stringify(condition)}`,
    );
  }
  return matched;
}

/** A fact value for the table tests: a present value, `MISSING` (the path is absent) or null. */
export const MISSING = Symbol('missing');

/** Facts whose `profile.x` is `value` (absent for MISSING). */
export function profileWithX(value: unknown): FactsInput {
  return { profile: value === MISSING ? { other: 1 } : { x: value, other: 1 } };
}
