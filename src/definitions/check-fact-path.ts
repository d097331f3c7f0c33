import { contextPathMessage } from '../rules/context-shape';
import { historyPath, HISTORY_PATHS_TEXT } from '../rules/history-shape';
import { error, Finding, warning } from './finding';
import type { DocPath } from './finding';

/** An attribute to show in "needs a path" messages, per fact. */
const EXAMPLE_PATH: Readonly<Record<string, string>> = { profile: 'age', context: 'channel' };

/**
 * Checks that a condition (or a fact comparison's `value`) at `at` reads something its fact can have: every
 * fact is a map, so a condition without a path compares the whole map and is never true; `history` has a
 * closed shape (participations, grants, grantsToday, rewards.<rewardId>), and so has `context` (the request's
 * attributes and ip, context-shape.ts). `path` is already a plain path or
 * undefined; an unknown fact is reported elsewhere.
 */
export function checkFactPath(fact: string, path: unknown, at: DocPath): Finding[] {
  const whole = `(without one it compares the whole ${fact}, a map, which is never true)`;
  const repeated = repeatedFactName(fact, path);
  if (repeated !== undefined) {
    // history's and context's shapes are closed, so the path is surely wrong there; a profile could hold a
    // `profile` field of its own, so there it is a warning.
    const message = `path "${String(path)}" starts with the fact's name: the path is read inside ${fact}, so write path: ${repeated}`;
    return [fact === 'profile' ? warning([...at, 'path'], message) : error([...at, 'path'], message)];
  }
  if (fact === 'history') {
    if (path === undefined)
      return [error(at, `fact "history" needs a path: one of ${HISTORY_PATHS_TEXT} ${whole}`)];
    const read = typeof path === 'string' ? historyPath(path) : undefined;
    return read?.kind === 'invalid' ? [error([...at, 'path'], read.message)] : [];
  }
  const problem = fact === 'context' && typeof path === 'string' ? contextPathMessage(path) : undefined;
  if (problem !== undefined) return [error([...at, 'path'], problem)];
  const example = EXAMPLE_PATH[fact];
  if (path !== undefined || example === undefined) return [];
  return [error(at, `fact "${fact}" needs a path to one of its attributes, e.g. path: ${example} ${whole}`)];
}

/** The path without a leading `<fact>.` (`$.` allowed before it), or undefined when it does not repeat the fact. */
function repeatedFactName(fact: string, path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  const plain = path.startsWith('$.') ? path.slice(2) : path;
  return plain.startsWith(`${fact}.`) && plain.length > fact.length + 1
    ? plain.slice(fact.length + 1)
    : undefined;
}
