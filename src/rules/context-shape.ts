/**
 * The closed shape of the `context` fact: the participation API's request context
 * (schemas/participation-request.schema.json), plus the `ip` the service adds from the connection
 * (grant-flow.ts); cases.schema.json's `$defs/context` says the same for hand-written contexts. Rules are checked
 * against it, so a typo (`chanel`) is refused instead of reading nothing; cases files, `explain --context` and
 * users files are validated against that definition.
 */
import participationRequestSchema from '../../schemas/participation-request.schema.json';
import { closest } from '../definitions/did-you-mean';
import { formatPath } from '../definitions/finding';
import type { Finding } from '../definitions/finding';
import { CONTEXT_SCHEMA, validateContext } from '../definitions/schema-validator';

/** The attributes a request may send, from the participation API's schema. */
export const REQUEST_CONTEXT_KEYS: readonly string[] = Object.keys(
  participationRequestSchema.properties.context.properties,
);

/** Every attribute of the context fact a rule can read: the request's, and the connection's address. */
export const CONTEXT_KEYS: readonly string[] = Object.keys(
  (CONTEXT_SCHEMA as { properties: object }).properties,
);

/** Why a plain dotted context path (a leading `$.` is accepted) reads nothing, or undefined when it reads one. */
export function contextPathMessage(path: string): string | undefined {
  const [head = '', ...rest] = (path.startsWith('$.') ? path.slice(2) : path).split('.');
  const known = `context paths: ${CONTEXT_KEYS.join(', ')}`;
  if (CONTEXT_KEYS.includes(head)) {
    if (rest.length === 0) return undefined;
    return `context path "${path}" does not exist: ${head} is a single value, with nothing inside it`;
  }
  const suggestion = closest(head, CONTEXT_KEYS);
  const hint = suggestion === undefined ? '' : ` (did you mean "${[suggestion, ...rest].join('.')}"?)`;
  return `unknown context path "${path}"${hint}; ${known}`;
}

/**
 * The first problem of a context given as JSON (`explain --context`, a users file line), as one line:
 * `unknown field "chanel" (did you mean "channel"?); allowed: …` or `"channel" must be a string (got 5)`.
 */
export function contextProblemText(context: unknown): string | undefined {
  const problem: Finding | undefined = validateContext(context)[0];
  if (problem === undefined) return undefined;
  if (problem.at === 'key') return problem.message.replace(/^unknown property/, 'unknown field');
  return `"${formatPath(problem.path)}" ${problem.message}`;
}
