import { error, Finding, formatPath } from './finding';
import type { DocPath } from './finding';

/**
 * Reports every repeated `id` after its first occurrence, e.g. `duplicate reward id "x"; first defined at
 * rewards[0]`. `items` are the values with the path of their id.
 */
export function duplicateIdFindings(
  what: string,
  items: readonly { id: unknown; path: DocPath }[],
  where: (path: DocPath) => string = (path) => formatPath(path.slice(0, -1)),
): Finding[] {
  const first = new Map<string, DocPath>();
  const findings: Finding[] = [];
  for (const { id, path } of items) {
    if (typeof id !== 'string') continue;
    const earlier = first.get(id);
    if (earlier) findings.push(error(path, `duplicate ${what} "${id}"; first defined at ${where(earlier)}`));
    else first.set(id, path);
  }
  return findings;
}
