/**
 * A users file (`dry-run --users`) is JSON Lines, one `{ "userId": "…", "profile": {…}, "context": {…} }`
 * per line (DESIGN.md CLI contract). Streamed, so a million-line file never sits in memory; a bad line
 * stops the run with file:line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { contextProblemText } from '../rules/context-shape';
import { didYouMean } from '../definitions/did-you-mean';
import { escapeInvisible } from '../definitions/suspicious-characters';
import { firstDuplicateKey } from '../http/json-duplicate-key';
import { historyInputProblems, historyProblemText } from '../rules/history-shape';
import { isRecord } from '../shared/is-record';
import { jsonErrorOffset } from './json-error-offset';
import type { SimulatedUser } from './evaluate-participant';

export class UsersFileError extends Error {}

const USER_FIELDS = ['userId', 'profile', 'context', 'history'];

/** The campaign the users are simulated against: reward ids in `history.rewards` must be its own. */
export interface UsersCampaign {
  campaign: string;
  known: readonly string[];
}

/**
 * `users.jsonl:2:29: not valid JSON (Expected double-quoted property name)`: the column where JSON.parse gave
 * up, like every other file:line:col error, instead of V8's "at position 28" (or nothing at all).
 */
function notJson(line: string, where: string, reason: string): string {
  const stated = /\bin JSON at position (\d+)/.exec(reason)?.[1];
  const offset = stated !== undefined ? Number(stated) : (jsonErrorOffset(line) ?? line.length);
  const why = reason.replace(/\s+in JSON at position \d+.*$/s, '').replace(/, .* is not valid JSON$/s, '');
  return `${where}:${offset + 1}: not valid JSON (${escapeInvisible(why)})`;
}

export function parseUserLine(line: string, where: string, rewards?: UsersCampaign): SimulatedUser {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new UsersFileError(notJson(line, where, (error as Error).message));
  }
  if (!isRecord(parsed)) throw new UsersFileError(`${where}: expected a JSON object`);
  const { userId, profile, context, history, ...rest } = parsed;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw new UsersFileError(
      `${where}: unknown field "${extra[0]}"${didYouMean(extra[0] ?? '', USER_FIELDS)}; allowed: ${USER_FIELDS.join(', ')}`,
    );
  const repeated = firstDuplicateKey(line);
  if (repeated !== null)
    throw new UsersFileError(`${where}: the key "${repeated}" appears more than once in one object`);
  if (typeof userId !== 'string' || userId === '')
    throw new UsersFileError(`${where}: "userId" must be a non-empty string`);
  if (profile !== undefined && !isRecord(profile))
    throw new UsersFileError(`${where}: "profile" must be an object`);
  if (context !== undefined && !isRecord(context))
    throw new UsersFileError(`${where}: "context" must be an object`);
  const contextProblem = context === undefined ? undefined : contextProblemText(context);
  if (contextProblem !== undefined) throw new UsersFileError(`${where}: context: ${contextProblem}`);
  if (history !== undefined && !isRecord(history))
    throw new UsersFileError(`${where}: "history" must be an object`);
  const problem = history === undefined ? undefined : historyInputProblems(history, 'field', rewards)[0];
  if (problem !== undefined) throw new UsersFileError(`${where}: history: ${historyProblemText(problem)}`);
  return { userId, profile: profile ?? {}, context: context ?? {}, ...(history ? { history } : {}) };
}

async function* lines(file: string): AsyncGenerator<{ text: string; number: number }> {
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const read of reader) {
    number++;
    // A BOM an editor saved in front of the first line: "not valid JSON (Unexpected token '\ufeff')".
    const text = number === 1 ? read.replace(/^\uFEFF/, '') : read;
    if (text.trim() !== '') yield { text, number };
  }
}

export async function countUsers(file: string): Promise<number> {
  let n = 0;
  for await (const _ of lines(file)) n++;
  return n;
}

export async function* readUsersFile(file: string, rewards?: UsersCampaign): AsyncGenerator<SimulatedUser> {
  for await (const { text, number } of lines(file)) yield parseUserLine(text, `${file}:${number}`, rewards);
}
