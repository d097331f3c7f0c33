/**
 * How deeply a definition nests (pure). Checked before the schema: ajv's validators, the rule checks, the compiler
 * and json-rules-engine all recurse once per level, so a rule nested a thousand `not`s deep overflowed the stack
 * (a 500 on POST /admin/publish) instead of being refused. No real campaign, rules or cases file comes near it.
 */
import type { DocPath } from './finding';

/** Objects and lists inside one another, the document itself included: about 30 nested all/any/not levels. */
export const MAX_NESTING = 64;

/** The path of the first object or list nested deeper than `max` levels, or null. Iterative: any depth is safe. */
export function tooDeepPath(data: unknown, max = MAX_NESTING): DocPath | null {
  const stack: Array<{ value: unknown; path: DocPath }> = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: DocPath };
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= max) return path;
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((item, i): [number, unknown] => [i, item])
      : Object.entries(value);
    for (const [key, item] of entries.reverse()) stack.push({ value: item, path: [...path, key] });
  }
  return null;
}
