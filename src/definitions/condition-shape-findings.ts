import type { ErrorObject } from 'ajv';
import { isRecord } from '../shared/is-record';
import { error, Finding } from './finding';
import { pointerToPath, valueAt } from './json-pointer';
import { JsonSchema, resolveRef, schemaAtPath } from './schema-navigation';

const COMBINATORS = ['all', 'any', 'not'];

function quotedList(keys: readonly string[]): string {
  const quoted = keys.map((k) => `"${k}"`);
  return quoted.length === 2
    ? `${quoted[0]} and ${quoted[1]} cannot both be set`
    : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)} cannot all be set`;
}

/** The all / any / not a condition sets, as written; each one's `if` branch forbids the others. */
function combinatorsOf(node: Record<string, unknown>): string[] {
  return Object.keys(node).filter((k) => COMBINATORS.includes(k));
}

/**
 * The one finding that replaces error `e`, if `e` is part of a cascade: every error on an empty condition (ajv
 * reports "set at least one of" and three missing properties, contradicting each other), or a forbidden
 * all / any / not next to another one (each forbids the other, naming itself among the reasons).
 */
function replacement(
  e: ErrorObject,
  condition: JsonSchema,
  root: JsonSchema,
  data: unknown,
): { pointer: string; finding: Finding } | undefined {
  const forbidden = e.keyword === 'false schema';
  const pointer = forbidden ? e.instancePath.replace(/\/[^/]*$/, '') : e.instancePath;
  const path = pointerToPath(pointer, data);
  const node = valueAt(data, path);
  if (!isRecord(node) || schemaAtPath(root, path) !== condition) return undefined;
  if (!forbidden && Object.keys(node).length === 0)
    return { pointer, finding: error(path, 'empty condition: set fact/operator/value, or all/any/not') };
  const key = e.instancePath.split('/').at(-1) ?? '';
  const combinators = combinatorsOf(node);
  if (!forbidden || !COMBINATORS.includes(key) || combinators.length < 2) return undefined;
  return { pointer, finding: error(path, `${quotedList(combinators)}; nest one inside the other`) };
}

/**
 * Collapses the cascades of a condition's shape into one finding per condition (see `replacement`). Returns
 * those findings and the errors left to translate one by one.
 */
export function conditionShapeFindings(
  errors: readonly ErrorObject[],
  root: JsonSchema,
  data: unknown,
): { findings: Finding[]; rest: ErrorObject[] } {
  // rules.schema.json's condition, at any depth (ajv's schemaPath restarts at each `$ref`, so it cannot tell).
  const condition = resolveRef(root, { $ref: '#/$defs/condition' });
  const findings = new Map<string, Finding>();
  const rest: ErrorObject[] = [];
  for (const e of errors) {
    const replaced = replacement(e, condition, root, data);
    if (replaced === undefined) rest.push(e);
    else if (!findings.has(replaced.pointer)) findings.set(replaced.pointer, replaced.finding);
  }
  return { findings: [...findings.values()], rest };
}
