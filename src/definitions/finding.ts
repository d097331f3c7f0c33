import { escapeInvisible } from './suspicious-characters';

/** A location inside a parsed document: map keys and sequence indexes from the root. */
export type DocPath = readonly (string | number)[];

/**
 * A problem found by a pure check, before it is given a file position. `at: 'key'` points at the key of the
 * last path element (e.g. an unknown property) instead of its value.
 */
export interface Finding {
  path: DocPath;
  message: string;
  severity: 'error' | 'warning';
  at?: 'key' | 'value';
}

export function error(path: DocPath, message: string): Finding {
  return { path, message, severity: 'error' };
}

export function warning(path: DocPath, message: string): Finding {
  return { path, message, severity: 'warning' };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['segments', 1, 'rewards', 0, 'weight']` → `segments[1].rewards[0].weight`; `[]` → `(root)`. */
export function formatPath(path: DocPath): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${escapeInvisible(JSON.stringify(part))}]`;
  }
  return out;
}
