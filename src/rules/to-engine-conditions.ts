import type { NestedCondition, TopLevelCondition } from 'json-rules-engine';
import type { Condition, LeafCondition } from '../definitions/campaign-types';
import { isRecord } from '../shared/is-record';
import { RuleCompilationError } from './rule-compilation-error';
import { FACTS, isKnownOperator, isPlainPath } from './vocabulary';

export interface EngineConditions {
  conditions: TopLevelCondition;
  /** Every path the conditions read (condition paths and fact-comparison paths), for the path resolver. */
  paths: string[];
}

function joinPath(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}

/**
 * Converts a pocket rule's conditions into fresh json-rules-engine conditions (json-rules-engine mutates
 * what it is given, so the resolved definition is never handed over), checking every fact, operator and
 * path against the vocabulary. A root leaf is wrapped in `all`. No priorities are set: every leaf of an
 * `all`/`any` has the same priority, so `Rule#evaluate` (explain) evaluates them all.
 */
export function toEngineConditions(ruleId: string, condition: Condition): EngineConditions {
  const paths = new Set<string>();
  const fail = (at: string, detail: string): never => {
    throw new RuleCompilationError(ruleId, at, detail);
  };

  const checkFact = (at: string, fact: unknown, path: unknown): void => {
    if (typeof fact !== 'string' || !(FACTS as readonly string[]).includes(fact)) {
      fail(at, `unknown fact ${JSON.stringify(fact)}; facts are ${FACTS.join(', ')}`);
    }
    if (path === undefined) return;
    if (typeof path !== 'string' || !isPlainPath(path))
      fail(at, `path ${JSON.stringify(path)} is not a plain dotted path`);
    paths.add(path as string);
  };

  const convertLeaf = (leaf: LeafCondition, at: string): NestedCondition => {
    checkFact(at, leaf.fact, leaf.path);
    if (typeof leaf.operator !== 'string' || !isKnownOperator(leaf.operator)) {
      fail(at, `unknown operator ${JSON.stringify(leaf.operator)}`);
    }
    if (!Object.hasOwn(leaf, 'value')) fail(at, 'a condition needs a value');
    if (isRecord(leaf.value) && Object.hasOwn(leaf.value, 'fact')) {
      checkFact(`${at}.value`, leaf.value['fact'], leaf.value['path']);
    }
    return {
      fact: leaf.fact,
      operator: leaf.operator,
      value: structuredClone(leaf.value),
      ...(leaf.path === undefined ? {} : { path: leaf.path }),
      ...(leaf.params === undefined ? {} : { params: structuredClone(leaf.params) }),
    };
  };

  const convertList = (children: unknown, at: string): NestedCondition[] => {
    if (!Array.isArray(children)) return fail(at, 'must be a list of conditions');
    return children.map((child: unknown, i) => convert(child, `${at}[${i}]`));
  };

  const convert = (node: unknown, at: string): NestedCondition => {
    if (!isRecord(node)) return fail(at, 'a condition must be an object');
    if (Object.hasOwn(node, 'all')) return { all: convertList(node['all'], joinPath(at, 'all')) };
    if (Object.hasOwn(node, 'any')) return { any: convertList(node['any'], joinPath(at, 'any')) };
    if (Object.hasOwn(node, 'not')) return { not: convert(node['not'], joinPath(at, 'not')) };
    if (Object.hasOwn(node, 'fact')) return convertLeaf(node as unknown as LeafCondition, at);
    return fail(at, 'a condition is a leaf (fact, operator, value) or one of all, any, not');
  };

  const root = convert(condition, '');
  const conditions: TopLevelCondition =
    'all' in root || 'any' in root || 'not' in root ? root : { all: [root] };
  return { conditions, paths: [...paths] };
}
