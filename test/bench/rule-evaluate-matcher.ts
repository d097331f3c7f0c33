import { Engine, Rule } from 'json-rules-engine';
import type { SegmentDefinition } from '../../src/definitions/campaign-types';
import type { ResolvedCampaign } from '../../src/definitions/resolve-campaign';
import { createAlmanac } from '../../src/rules/create-almanac';
import type { Facts } from '../../src/rules/facts';
import { registerPocketOperators } from '../../src/rules/operators';
import { createPathResolver } from '../../src/rules/path-resolver';
import { ruleInternals } from '../../src/rules/rule-internals';
import { toEngineConditions } from '../../src/rules/to-engine-conditions';

/**
 * The alternative pocket measured and did not keep for the hot path: the same engine, operators, path
 * resolver and Almanac, but each segment's Rule evaluated with json-rules-engine's `Rule#evaluate` (as
 * `engine.run` does), in segment order, stopping at the first match. `Rule#evaluate` deep-clones the
 * condition tree and emits events on every call.
 */
export function ruleEvaluateMatcher(
  resolved: ResolvedCampaign,
): (facts: Facts) => Promise<SegmentDefinition | null> {
  const segments = resolved.definition.segments;
  const converted = segments.map((s) =>
    s.when === undefined ? null : toEngineConditions(s.when, resolved.rules[s.when]!.conditions),
  );
  const pathResolver = createPathResolver(converted.flatMap((c) => c?.paths ?? []));
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    replaceFactsInEventParams: false,
    pathResolver,
  });
  registerPocketOperators(engine);
  const evaluators = segments.map((segment, i) => {
    const conditions = converted[i];
    if (conditions === null || conditions === undefined) return { segment, evaluate: null };
    const rule = new Rule({
      name: segment.id,
      conditions: conditions.conditions,
      event: { type: segment.id },
    });
    engine.addRule(rule);
    return { segment, evaluate: ruleInternals(rule, engine).evaluate };
  });
  return async (facts) => {
    const almanac = createAlmanac(facts, pathResolver);
    for (const { segment, evaluate } of evaluators) {
      if (evaluate === null || (await evaluate(almanac)).result === true) return segment;
    }
    return null;
  };
}
