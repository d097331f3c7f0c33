import { Engine, type TopLevelCondition } from 'json-rules-engine';
import type { ResolvedCampaign } from '../../src/definitions/resolve-campaign';
import type { SegmentDefinition } from '../../src/definitions/campaign-types';
import type { FactsInput } from '../../src/rules/facts';

/** What a plain json-rules-engine setup gives: the first matching segment, or null. */
export type BaselineMatcher = (user: FactsInput) => Promise<SegmentDefinition | null>;

/**
 * The baseline pocket is measured against: json-rules-engine with default options (JSONPath resolver,
 * undefined facts refused, default operators) and only the operators it lacks added (`between`,
 * `containsAny`, `startsWith`, plain and not missing-aware). Every decision is one `engine.run` over all
 * rules; the first match is the successful result with the highest priority (priority = segment order).
 */
export function baselineMatcher(resolved: ResolvedCampaign): BaselineMatcher {
  const segments = resolved.definition.segments;
  const engine = new Engine();
  engine.addOperator<number, [number, number]>('between', (a, b) => b[0] <= a && a <= b[1]);
  engine.addOperator<unknown[], unknown[]>(
    'containsAny',
    (a, b) => Array.isArray(a) && a.some((x) => b.includes(x)),
  );
  engine.addOperator<string, string>('startsWith', (a, b) => typeof a === 'string' && a.startsWith(b));
  segments.forEach((segment, index) => {
    if (segment.when === undefined) return;
    const rule = resolved.rules[segment.when];
    if (rule === undefined) throw new Error(`unknown rule ${segment.when}`);
    engine.addRule({
      name: segment.id,
      priority: segments.length - index,
      conditions: structuredClone(rule.conditions) as TopLevelCondition,
      event: { type: 'segment', params: { index } },
    });
  });
  const catchAll = segments.find((segment) => segment.when === undefined) ?? null;

  return async (user) => {
    const { results } = await engine.run({
      profile: user.profile,
      context: user.context,
      history: user.history,
    });
    let best: { priority?: number; event?: { params?: Record<string, unknown> } } | undefined;
    for (const result of results)
      if (best === undefined || (result.priority ?? 0) > (best.priority ?? 0)) best = result;
    const index = best?.event?.params?.['index'];
    return typeof index === 'number' ? (segments[index] ?? null) : catchAll;
  };
}
