import type { JsonSchema } from '../../../src/definitions/schema-navigation';

type SchemaObject = { readonly [keyword: string]: unknown };

export interface VisitedSchema {
  /** Where the schema sits, e.g. `#/$defs/reward/properties/amount`. */
  pointer: string;
  schema: SchemaObject;
  /** True for the schema of a declared property (`…/properties/<name>`). */
  isProperty: boolean;
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every subschema that declares something, with its pointer. `if` conditions are skipped: they only test
 * values (e.g. `type: const`) and declare nothing.
 */
export function walkSchema(schema: JsonSchema, pointer = '#', isProperty = false): VisitedSchema[] {
  if (!isObject(schema)) return [];
  const visited: VisitedSchema[] = [{ pointer, schema, isProperty }];
  const recurse = (sub: unknown, at: string, property = false): void => {
    visited.push(...walkSchema(sub as JsonSchema, at, property));
  };
  for (const [name, sub] of Object.entries(isObject(schema['properties']) ? schema['properties'] : {})) {
    recurse(sub, `${pointer}/properties/${name}`, true);
  }
  for (const [name, sub] of Object.entries(isObject(schema['$defs']) ? schema['$defs'] : {})) {
    recurse(sub, `${pointer}/$defs/${name}`);
  }
  if (schema['items'] !== undefined) recurse(schema['items'], `${pointer}/items`);
  if (Array.isArray(schema['allOf'])) {
    schema['allOf'].forEach((branch, i) => {
      if (isObject(branch) && branch['then'] !== undefined)
        recurse(branch['then'], `${pointer}/allOf/${i}/then`);
    });
  }
  return visited;
}

/** Whether a subschema describes a map: it says `type: object` or declares properties. */
export function describesObject(schema: SchemaObject): boolean {
  return schema['type'] === 'object';
}
