import participationRequestSchema from '../../schemas/participation-request.schema.json';
import { isRecord } from '../shared/is-record';
import type { DocPath } from './finding';

/** A JSON Schema node as stored in schemas/*.json (booleans are the `true` / `false` schemas). */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };
type SchemaObject = { readonly [keyword: string]: unknown };

/** Schemas others refer to by file name, e.g. `participation-request.schema.json#/properties/context`. */
const REFERENCED: Readonly<Record<string, JsonSchema>> = {
  'participation-request.schema.json': participationRequestSchema,
};

/**
 * Follows a `$ref` until a schema without one is reached: a local one (`#/$defs/name`), or one into a schema of
 * `REFERENCED` (`file.schema.json#/pointer`), whose own local `$ref`s then resolve in that schema.
 */
export function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  let base = root;
  for (let hops = 0; isRecord(current) && typeof current['$ref'] === 'string' && hops < 16; hops++) {
    const [file = '', pointer = ''] = current['$ref'].split('#');
    const document = file === '' ? base : REFERENCED[file];
    if (document === undefined || !pointer.startsWith('/')) return current;
    base = document;
    let target: unknown = document;
    for (const part of pointer.slice(1).split('/')) target = isRecord(target) ? target[part] : undefined;
    current = isRecord(target) || typeof target === 'boolean' ? target : {};
  }
  return current;
}

function properties(schema: JsonSchema): SchemaObject {
  return isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : {};
}

/** The schema that describes the value at `path`, following properties and items; undefined if none does. */
export function schemaAtPath(root: JsonSchema, path: DocPath): JsonSchema | undefined {
  let current: JsonSchema = resolveRef(root, root);
  for (const part of path) {
    const next: unknown =
      typeof part === 'number'
        ? isRecord(current)
          ? current['items']
          : undefined
        : properties(current)[part];
    if (!isRecord(next) && typeof next !== 'boolean') return undefined;
    current = resolveRef(root, next);
  }
  return current;
}

/**
 * Whether `data` satisfies a conditional (`if`) schema. Supports what schemas/ uses in `if`: `required`,
 * `properties` with `const`/`enum`, `not` and `anyOf`.
 */
function matchesCondition(schema: unknown, data: unknown): boolean {
  if (typeof schema === 'boolean') return schema;
  if (!isRecord(schema)) return true;
  const object = isRecord(data) ? data : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  if (!required.every((key) => key in object)) return false;
  for (const [key, sub] of Object.entries(properties(schema))) {
    if (!(key in object) || !isRecord(sub)) continue;
    if ('const' in sub && sub['const'] !== object[key]) return false;
    if (Array.isArray(sub['enum']) && !sub['enum'].includes(object[key])) return false;
  }
  if ('not' in schema && matchesCondition(schema['not'], data)) return false;
  if (Array.isArray(schema['anyOf']) && !schema['anyOf'].some((s) => matchesCondition(s, data))) return false;
  return true;
}

export interface ConditionalRestriction {
  /** Properties forbidden (`false`) by the active `if`/`then` branches. */
  forbidden: Set<string>;
  /** Words describing the active condition, e.g. `for type "none"` or `together with "all"`. */
  because: string;
}

/**
 * The first `if`/`then` branch of an object schema that applies to `data` and forbids properties, and what it
 * forbids. Only the first: when two exclusive branches apply (`all` and `any` both set), each forbids the
 * other's key, and together they would forbid everything.
 */
export function activeRestriction(schema: JsonSchema, data: unknown): ConditionalRestriction {
  const branches = isRecord(schema) && Array.isArray(schema['allOf']) ? (schema['allOf'] as unknown[]) : [];
  for (const branch of branches) {
    if (!isRecord(branch) || !matchesCondition(branch['if'], data)) continue;
    const denied = Object.entries(properties(isRecord(branch['then']) ? branch['then'] : {})).filter(
      ([, s]) => s === false,
    );
    if (denied.length === 0) continue;
    return { forbidden: new Set(denied.map(([key]) => key)), because: describeCondition(branch['if'], data) };
  }
  return { forbidden: new Set(), because: '' };
}

function describeCondition(condition: unknown, data: unknown): string {
  const object = isRecord(data) ? data : {};
  const discriminator = Object.keys(isRecord(condition) ? properties(condition) : {})[0];
  if (discriminator !== undefined) return `for ${discriminator} ${JSON.stringify(object[discriminator])}`;
  const required = isRecord(condition) && Array.isArray(condition['required']) ? condition['required'] : [];
  return required.length > 0 ? `together with "${String(required[0])}"` : 'here';
}

/** The properties an object may have, given its data (branches keyed on e.g. `type` narrow the list). */
export function allowedProperties(schema: JsonSchema, data: unknown): string[] {
  const { forbidden } = activeRestriction(schema, data);
  return Object.keys(properties(schema)).filter((key) => !forbidden.has(key));
}

/**
 * Where else in the schema `name` is a property, as dotted paths (`decision`, `limits.perUser`; `` for the top
 * level), following maps only, a few levels deep: a key written at the wrong level (`fallback` at the top, which
 * belongs under `decision`) can be told where it goes.
 */
export function homesOf(root: JsonSchema, name: string, depth = 3): string[] {
  const homes: string[] = [];
  const visit = (schema: JsonSchema, path: string[], left: number): void => {
    const props = properties(resolveRef(root, schema));
    if (name in props) homes.push(path.join('.'));
    if (left === 0) return;
    for (const [key, sub] of Object.entries(props)) {
      if (isRecord(sub) || typeof sub === 'boolean') visit(sub, [...path, key], left - 1);
    }
  };
  visit(root, [], depth);
  return homes;
}
