import { FORBIDDEN_PATH_KEYS } from './vocabulary';

/**
 * A path split into its keys, or `null` when it names a key that must never be followed
 * (`__proto__`, `prototype`, `constructor`): such a path resolves to nothing.
 */
export type CompiledPath = readonly string[] | null;

/** A resolver with json-rules-engine's `pathResolver` signature. */
export type PathResolver = (value: unknown, path: string) => unknown;

/**
 * Splits a plain dotted path (`a.b.0.c`, optionally `$.a.b`) into keys. `$` or an empty path is the
 * value itself. Done once per path at compile time, never per decision.
 */
export function compilePath(path: string): CompiledPath {
  const body = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path;
  if (body === '') return [];
  const keys = body.split('.');
  return keys.some((key) => key === '' || FORBIDDEN_PATH_KEYS.has(key)) ? null : keys;
}

/**
 * Follows `keys` through objects and arrays, own properties only. Anything missing, a primitive in the
 * middle of the path, or a forbidden key gives `undefined`; it never throws and never reads a prototype.
 */
function resolveCompiledPath(value: unknown, keys: CompiledPath): unknown {
  if (keys === null) return undefined;
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Resolves a dotted path in one call (splits it every time; prefer `createPathResolver` on hot paths). */
export function resolvePath(value: unknown, path: string): unknown {
  return resolveCompiledPath(value, compilePath(path));
}

/**
 * A json-rules-engine path resolver whose paths are split once, up front: pass every path the rules use.
 * An unexpected path still resolves correctly, split on demand and not cached, so memory stays bounded.
 */
export function createPathResolver(knownPaths: Iterable<string> = []): PathResolver {
  const compiled = new Map<string, CompiledPath>();
  for (const path of knownPaths) compiled.set(path, compilePath(path));
  return (value, path) => {
    const keys = compiled.get(path);
    return resolveCompiledPath(value, keys === undefined ? compilePath(path) : keys);
  };
}
