import { FORBIDDEN_PATH_KEYS, type FactName } from './vocabulary';

/** This user's past participations and grants in the campaign (from the ledger). */
export interface HistoryFact {
  participations: number;
  grants: number;
  grantsToday: number;
  /** Grants per reward id. */
  rewards: Record<string, number>;
}

/** The only facts a rule can read (DESIGN.md "Facts"). */
export interface Facts {
  profile: Record<string, unknown>;
  context: Record<string, unknown>;
  history: HistoryFact;
}

/** Raw inputs, e.g. a profile from the profile service, the request context and the ledger's counts. */
export type FactsInput = { readonly [K in FactName]?: unknown };

/** Nesting deeper than this is dropped: a profile is a handful of flat attributes, not a document. */
const MAX_DEPTH = 8;

function copyValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => copyValue(item, depth + 1));
  return copyRecord(value, depth + 1);
}

/**
 * A null-prototype copy of an object's own enumerable string keys, recursively, without `__proto__`,
 * `prototype` or `constructor`: nothing a rule reads can reach or change a prototype.
 */
function copyRecord(value: unknown, depth = 0): Record<string, unknown> {
  const copy = Object.create(null) as Record<string, unknown>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return copy;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_PATH_KEYS.has(key)) continue;
    const item = copyValue((value as Record<string, unknown>)[key], depth);
    if (item !== undefined) copy[key] = item;
  }
  return copy;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function buildHistory(value: unknown, rewardIds: readonly string[]): HistoryFact {
  const raw = copyRecord(value);
  const rewards = Object.create(null) as Record<string, number>;
  for (const reward of rewardIds) if (!FORBIDDEN_PATH_KEYS.has(reward)) rewards[reward] = 0;
  for (const [reward, n] of Object.entries(copyRecord(raw['rewards']))) rewards[reward] = count(n);
  const history = Object.create(null) as HistoryFact;
  history.participations = count(raw['participations']);
  history.grants = count(raw['grants']);
  history.grantsToday = count(raw['grantsToday']);
  history.rewards = rewards;
  return history;
}

/** Reads an allowlisted input by own property only, so a polluted prototype cannot supply a fact. */
function own(input: FactsInput, name: FactName): unknown {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

/**
 * Builds the facts a decision is evaluated against, from the allowlist only: `profile`, `context` and
 * `history`. Each is copied into null-prototype objects, so an input can neither pollute a prototype nor
 * make one fact appear inside another (a `profile` key inside `context` stays in `context`).
 * History counts default to 0 (a user with no history has no grants), and so does `rewards.<id>` for every
 * reward of the campaign (`rewardIds`): the ledger lists only rewards the user got, and a rule "never got
 * rp-big" (`rewards.rp-big equal 0`) must read 0 for a user who never got it, not a missing path (false).
 */
export function buildFacts(input: FactsInput, rewardIds: readonly string[] = []): Facts {
  return {
    profile: copyRecord(own(input, 'profile')),
    context: copyRecord(own(input, 'context')),
    history: buildHistory(own(input, 'history'), rewardIds),
  };
}
