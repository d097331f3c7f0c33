import type { DocPath } from './finding';

/** A JSON Schema node as stored in schemas/*.json (booleans are the `true` / `false` schemas). */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };
type SchemaObject = { readonly [keyword: string]: unknown };

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `$ref` (`#/$defs/name`) until a schema without one is reached. */
export function resolveRef(root: JsonSchema, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string' && hops < 16; hops++) {
    const ref = current['$ref'];
    if (!ref.startsWith('#/')) return current;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part] : undefined;
    current = isObject(target) || typeof target === 'boolean' ? target : {};
  }
  return current;
}

function properties(schema: JsonSchema): SchemaObject {
  return isObject(schema) && isObject(schema['properties']) ? schema['properties'] : {};
}

/** The schema that describes the value at `path`, following properties and items; undefined if none does. */
export function schemaAtPath(root: JsonSchema, path: DocPath): JsonSchema | undefined {
  let current: JsonSchema = resolveRef(root, root);
  for (const part of path) {
    const next: unknown =
      typeof part === 'number'
        ? isObject(current)
          ? current['items']
          : undefined
        : properties(current)[part];
    if (!isObject(next) && typeof next !== 'boolean') return undefined;
    current = resolveRef(root, next);
  }
  return current;
}

/**
 * Whether `data` satisfies a conditional (`if`) schema. Supports what schemas/ uses in `if`: `required`,
 * `properties` with `const`/`enum`, `not` and `anyOf`.
 */
export function matchesCondition(schema: unknown, data: unknown): boolean {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) return true;
  const object = isObject(data) ? data : {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  if (!required.every((key) => key in object)) return false;
  for (const [key, sub] of Object.entries(properties(schema))) {
    if (!(key in object) || !isObject(sub)) continue;
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

/** The `if`/`then` branches of an object schema that apply to `data`, and what they forbid. */
export function activeRestriction(schema: JsonSchema, data: unknown): ConditionalRestriction {
  const forbidden = new Set<string>();
  let because = '';
  const branches = isObject(schema) && Array.isArray(schema['allOf']) ? (schema['allOf'] as unknown[]) : [];
  for (const branch of branches) {
    if (!isObject(branch) || !matchesCondition(branch['if'], data)) continue;
    const denied = Object.entries(properties(isObject(branch['then']) ? branch['then'] : {})).filter(
      ([, s]) => s === false,
    );
    if (denied.length === 0) continue;
    denied.forEach(([key]) => forbidden.add(key));
    because ||= describeCondition(branch['if'], data);
  }
  return { forbidden, because };
}

function describeCondition(condition: unknown, data: unknown): string {
  const object = isObject(data) ? data : {};
  const discriminator = Object.keys(isObject(condition) ? properties(condition) : {})[0];
  if (discriminator !== undefined) return `for ${discriminator} ${JSON.stringify(object[discriminator])}`;
  const required = isObject(condition) && Array.isArray(condition['required']) ? condition['required'] : [];
  return required.length > 0 ? `together with "${String(required[0])}"` : 'here';
}

/** The properties an object may have, given its data (branches keyed on e.g. `type` narrow the list). */
export function allowedProperties(schema: JsonSchema, data: unknown): string[] {
  const { forbidden } = activeRestriction(schema, data);
  return Object.keys(properties(schema)).filter((key) => !forbidden.has(key));
}
