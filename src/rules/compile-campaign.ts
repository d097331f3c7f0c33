import { Engine, Rule } from 'json-rules-engine';
import type { SegmentDefinition } from '../definitions/campaign-types';
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import { collectConditionResults } from './collect-condition-results';
import { compileCondition, type ConditionEvaluator } from './compile-condition';
import type { CompiledCampaign, Explanation, SegmentEvaluation } from './compiled-campaign';
import { createAlmanac } from './create-almanac';
import type { Facts } from './facts';
import { registerPocketOperators } from './operators';
import { createPathResolver } from './path-resolver';
import { RuleCompilationError } from './rule-compilation-error';
import { ruleInternals, type RuleInternals } from './rule-internals';
import { toEngineConditions } from './to-engine-conditions';

interface CompiledSegment {
  segment: SegmentDefinition;
  /** The segment's `when`; null for a catch-all. */
  rule: string | null;
  /** Hot path: short-circuits. null for a catch-all. */
  matches: ConditionEvaluator | null;
  /** json-rules-engine's own full evaluation, for explain. null for a catch-all. */
  internals: RuleInternals | null;
}

function ruleFor(resolved: ResolvedCampaign, segment: SegmentDefinition & { when: string }) {
  const definition = Object.hasOwn(resolved.rules, segment.when) ? resolved.rules[segment.when] : undefined;
  if (definition === undefined) {
    throw new RuleCompilationError(segment.when, '', `unknown rule named by segment "${segment.id}"`);
  }
  return toEngineConditions(segment.when, definition.conditions);
}

/**
 * Compiles a resolved campaign into one json-rules-engine Engine (pocket's operators, the plain dotted-path
 * resolver, undefined facts allowed, no fact replacement in events) holding one Rule per segment that has
 * `when`. Build it once per campaign version (see compiled-campaign-cache) and reuse it for every decision.
 *
 * Decisions never call `engine.run` or `engine.stop()`. `matchSegment` creates one Almanac per decision,
 * walks the segments in order and stops at the first match; each rule's own Condition tree is evaluated by
 * json-rules-engine leaf by leaf, short-circuiting (compile-condition). `explain` runs every Rule in full
 * with `Rule#evaluate`, json-rules-engine's own evaluation, and reports every leaf.
 */
export function compileCampaign(resolved: ResolvedCampaign): CompiledCampaign {
  const segments = resolved.definition.segments;
  const converted = segments.map((segment) =>
    segment.when === undefined ? null : ruleFor(resolved, { ...segment, when: segment.when }),
  );
  const pathResolver = createPathResolver(converted.flatMap((c) => c?.paths ?? []));
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    replaceFactsInEventParams: false,
    pathResolver,
  });
  registerPocketOperators(engine);

  const compiled: CompiledSegment[] = segments.map((segment, index) => {
    const conditions = converted[index];
    if (segment.when === undefined || conditions === null || conditions === undefined) {
      return { segment, rule: null, matches: null, internals: null };
    }
    const rule = new Rule({
      name: segment.when,
      priority: segments.length - index,
      conditions: conditions.conditions,
      event: { type: 'segment', params: { segment: segment.id } },
    });
    engine.addRule(rule);
    const internals = ruleInternals(rule, engine);
    return {
      segment,
      rule: segment.when,
      matches: compileCondition(internals.conditions, internals.operators),
      internals,
    };
  });

  async function matchSegment(facts: Facts): Promise<SegmentDefinition | null> {
    const almanac = createAlmanac(facts, pathResolver);
    for (const { segment, matches } of compiled) {
      if (matches === null || (await matches(almanac))) return segment;
    }
    return null;
  }

  async function explain(facts: Facts): Promise<Explanation> {
    const almanac = createAlmanac(facts, pathResolver);
    const evaluations: SegmentEvaluation[] = [];
    for (const { segment, rule, internals } of compiled) {
      if (rule === null || internals === null) {
        evaluations.push({ segment: segment.id, rule: null, matched: true, conditions: [] });
        continue;
      }
      const evaluated = await internals.evaluate(almanac);
      evaluations.push({
        segment: segment.id,
        rule,
        matched: evaluated.result === true,
        conditions: collectConditionResults(rule, evaluated.conditions),
      });
    }
    return { segment: evaluations.find((e) => e.matched)?.segment ?? null, segments: evaluations };
  }

  return { resolved, matchSegment, explain };
}
