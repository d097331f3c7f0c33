/**
 * The closed shape of the `history` fact (facts.ts `HistoryFact`): three counts and grants per reward id.
 * Rules, cases files, `explain --history` and users files are checked against it, so a typo (`grant`) is
 * refused instead of reading nothing, which would make every condition on it false.
 */
import { closest, didYouMean } from '../definitions/did-you-mean';
import { describeValue } from '../definitions/describe-value';
import { isRecord } from '../shared/is-record';
import type { HistoryFact } from './facts';

type CountKey = Exclude<keyof HistoryFact, 'rewards'>;

const HISTORY_COUNTS = ['participations', 'grants', 'grantsToday'] as const satisfies readonly CountKey[];
const HISTORY_REWARDS = 'rewards' satisfies keyof HistoryFact;
export const HISTORY_KEYS: readonly string[] = [...HISTORY_COUNTS, HISTORY_REWARDS];

/** How rules name the history paths, for messages. */
export const HISTORY_PATHS_TEXT = `${HISTORY_COUNTS.join(', ')}, ${HISTORY_REWARDS}.<rewardId>`;

/** What a history path reads: a count, or the grants of one reward; or why it reads nothing. */
export type HistoryPath =
  | { kind: 'count'; name: string }
  | { kind: 'reward'; rewardId: string }
  | { kind: 'invalid'; message: string };

const COUNTS: readonly string[] = HISTORY_COUNTS;

/** Classifies a plain dotted path (a leading `$.` is accepted) into the history fact. */
export function historyPath(path: string): HistoryPath {
  const keys = (path.startsWith('$.') ? path.slice(2) : path).split('.');
  const [head = '', ...rest] = keys;
  if (COUNTS.includes(head)) {
    if (rest.length === 0) return { kind: 'count', name: head };
    return invalid(`history path "${path}" does not exist: ${head} is a count, with nothing inside it`);
  }
  if (head === HISTORY_REWARDS) {
    const [rewardId, ...deeper] = rest;
    if (rewardId === undefined)
      return invalid(`history path "${path}" needs a reward id: ${HISTORY_REWARDS}.<rewardId>`);
    if (deeper.length === 0) return { kind: 'reward', rewardId };
    return invalid(
      `history path "${path}" does not exist: ${HISTORY_REWARDS}.${rewardId} is a count, with nothing inside it`,
    );
  }
  const suggestion = closest(head, HISTORY_KEYS);
  const fixed = suggestion === undefined ? undefined : [suggestion, ...rest].join('.');
  const hint = fixed === undefined ? '' : ` (did you mean "${fixed}"?)`;
  return invalid(`unknown history path "${path}"${hint}; history paths: ${HISTORY_PATHS_TEXT}`);
}

function invalid(message: string): HistoryPath {
  return { kind: 'invalid', message };
}

/** One problem in a history given as data (a case's `history`, `--history`, a users file line). */
export interface HistoryInputProblem {
  /** Keys from the history object down to the offending entry. */
  path: string[];
  message: string;
  /** An unknown key is reported at the key, anything else at its value. */
  at: 'key' | 'value';
}

function countProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return undefined;
  const quoted = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
  return `must be a whole number, 0 or more (got ${describeValue(value)})${quoted ? '; write numbers without quotes' : ''}`;
}

/**
 * Checks a history given as data against the shape: known keys only (`noun` names them in the message:
 * "property" in YAML, "field" in JSON), counts as whole numbers ≥ 0, and `rewards` as a map of reward id →
 * count. With `rewards.known`, reward ids must be the campaign's (named `rewards.campaign` in the message).
 */
export function historyInputProblems(
  history: Record<string, unknown>,
  noun: 'property' | 'field',
  rewards?: { known: readonly string[]; campaign: string },
): HistoryInputProblem[] {
  const problems: HistoryInputProblem[] = [];
  for (const [key, value] of Object.entries(history)) {
    if (!HISTORY_KEYS.includes(key)) {
      const message = `unknown ${noun} "${key}"${didYouMean(key, HISTORY_KEYS)}; allowed: ${HISTORY_KEYS.join(', ')}`;
      problems.push({ path: [key], message, at: 'key' });
    } else if (key !== HISTORY_REWARDS) {
      const message = countProblem(value);
      if (message !== undefined) problems.push({ path: [key], message, at: 'value' });
    } else if (!isRecord(value)) {
      const message = `must be a map of reward id to its number of grants (got ${describeValue(value)})`;
      problems.push({ path: [key], message, at: 'value' });
    } else {
      problems.push(...rewardProblems(value, rewards));
    }
  }
  return problems.length > 0 ? problems : consistencyProblems(history);
}

/**
 * A history no user can have: every grant comes from a participation, and today's grants and each reward's
 * grants are among all grants. Only counts given are compared (an omitted one is implied: `impliedHistory`).
 */
function consistencyProblems(history: Record<string, unknown>): HistoryInputProblem[] {
  const h = history as Partial<HistoryFact>;
  const problems: HistoryInputProblem[] = [];
  const rewardSum = Object.values(h.rewards ?? {}).reduce((a, b) => a + b, 0);
  if (h.grants !== undefined && h.grantsToday !== undefined && h.grantsToday > h.grants)
    problems.push({
      path: ['grantsToday'],
      message: `grantsToday (${h.grantsToday}) is above grants (${h.grants}): today's grants are among all grants`,
      at: 'key',
    });
  if (h.grants !== undefined && rewardSum > h.grants)
    problems.push({
      path: ['grants'],
      message: `grants (${h.grants}) is below the ${rewardSum} grants listed in rewards: every reward's grants are among all grants`,
      at: 'key',
    });
  const grants = h.grants ?? Math.max(h.grantsToday ?? 0, rewardSum);
  if (h.participations !== undefined && grants > h.participations)
    problems.push({
      path: ['participations'],
      message: `participations (${h.participations}) is below grants (${grants}): every grant comes from a participation`,
      at: 'key',
    });
  return problems;
}

/**
 * A history with its omitted counts set to the least the given ones imply, as the ledger would show them:
 * grants at least today's grants and the rewards' grants, participations at least the grants. A case that
 * gives `grants: 3` is a user who joined at least 3 times, so a rule on `participations` sees 3, not 0.
 */
export function impliedHistory(history: Partial<HistoryFact>): Partial<HistoryFact> {
  const rewardSum = Object.values(history.rewards ?? {}).reduce(
    (a, b) => a + (typeof b === 'number' && b > 0 ? b : 0),
    0,
  );
  const grants = history.grants ?? Math.max(history.grantsToday ?? 0, rewardSum);
  return { ...history, grants, participations: history.participations ?? grants };
}

function rewardProblems(
  counts: Record<string, unknown>,
  rewards: { known: readonly string[]; campaign: string } | undefined,
): HistoryInputProblem[] {
  const problems: HistoryInputProblem[] = [];
  for (const [rewardId, n] of Object.entries(counts)) {
    const path = [HISTORY_REWARDS, rewardId];
    if (rewards !== undefined && !rewards.known.includes(rewardId)) {
      const hint = didYouMean(rewardId, rewards.known);
      const message = `reward "${rewardId}" is not a reward of campaign "${rewards.campaign}"${hint}`;
      problems.push({ path, message, at: 'key' });
      continue;
    }
    const message = countProblem(n);
    if (message !== undefined) problems.push({ path, message, at: 'value' });
  }
  return problems;
}

/** A problem as one line for JSON input: `"grants" must be …`, `in "rewards": reward "x" is not …`. */
export function historyProblemText(problem: HistoryInputProblem): string {
  if (problem.at === 'value') return `"${problem.path.join('.')}" ${problem.message}`;
  const parent = problem.path.slice(0, -1);
  return parent.length === 0 ? problem.message : `in "${parent.join('.')}": ${problem.message}`;
}
