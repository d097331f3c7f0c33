/**
 * `pocket testers generate`: synthetic tester profiles that land in a chosen segment. Each candidate is built
 * from the segment rule's solved conditions, the negation of earlier segments' rules (first match wins) and
 * values sampled from the rules' own value domains, then checked with the compiled campaign's `matchSegment`
 * exactly as the service matches: only a candidate whose first matching segment is the target is kept.
 * Under `protection.velocity.minAccountAgeDays` a kept candidate must also pass the service's account-age check
 * (`accountAgeCheck`), which refuses (403 velocity) before segments are matched: one the check refuses gets the
 * minimum account age and is matched again.
 * Attempts are bounded; a segment no candidate reaches is an error naming why.
 */
import type { Random } from '../decision/random';
import type { SegmentDefinition } from '../definitions/campaign-types';
import { accountAgeCheck, ACCOUNT_AGE_FIELD } from '../protection/fraud-decisions';
import type { CompiledCampaign } from '../rules/compiled-campaign';
import { solveCondition, type Assignment } from './condition-solver';
import { factsOf } from './evaluate-participant';
import { collectDomains, syntheticUserFactory } from './synthetic-users';

export interface GeneratedTester {
  userId: string;
  profile: Record<string, unknown>;
  /**
   * Request context the match relies on (testers' YAML entries hold a profile only, so a tester must send
   * this context); empty when the segment does not read `context`.
   */
  context: Record<string, unknown>;
}

/**
 * Why no testers could be made: `unknown_segment` (the campaign has no such segment: `details.known` lists its
 * segments), `segment_unreachable` (no synthetic profile the generator builds lands there) or `invalid_count`.
 */
export class TesterGenerationError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown_segment' | 'segment_unreachable' | 'invalid_count',
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface GenerateTestersInput {
  compiled: CompiledCampaign;
  segmentId: string;
  count: number;
  random: Random;
  /** User ids already taken (the campaign's testers). */
  takenIds: ReadonlySet<string>;
  /** Default `qa-<segment id>`; ids are `<prefix>-<n>`. */
  prefix?: string;
  /** Candidates tried per tester asked for (default 300). */
  attemptsPerTester?: number;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node =
      typeof next === 'object' && next !== null && !Array.isArray(next)
        ? (next as Record<string, unknown>)
        : (node[key] = {});
  }
  node[keys[keys.length - 1] as string] = value;
}

function apply(
  user: { profile: Record<string, unknown>; context: Record<string, unknown> },
  assignments: readonly Assignment[],
): void {
  for (const a of assignments) setPath(a.fact === 'profile' ? user.profile : user.context, a.path, a.value);
}

function readsContext(compiled: CompiledCampaign, upTo: number): boolean {
  const segments = compiled.resolved.definition.segments.slice(0, upTo + 1);
  return segments.some(
    (s) => s.when !== undefined && /"fact":"context"/.test(JSON.stringify(compiled.resolved.rules[s.when])),
  );
}

function nextIds(prefix: string, taken: ReadonlySet<string>, count: number): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = `${prefix}-${n}`;
    if (!taken.has(id)) ids.push(id);
  }
  return ids;
}

/** One candidate: sampled background values, earlier segments negated, the target's conditions on top. */
function candidate(
  input: GenerateTestersInput,
  target: number,
  sample: () => { profile: Record<string, unknown>; context: Record<string, unknown> },
  known: ReadonlyMap<string, unknown[]>,
  attempt: number,
): { profile: Record<string, unknown>; context: Record<string, unknown> } {
  const { compiled, random } = input;
  const { segments } = compiled.resolved.definition;
  // Alternate between a minimal candidate (only what the rules need) and one with realistic background values.
  const user = attempt % 2 === 0 ? { profile: {}, context: {} } : sample();
  for (const earlier of segments.slice(0, target)) {
    const rule = earlier.when === undefined ? undefined : compiled.resolved.rules[earlier.when];
    const negated = rule ? solveCondition(rule.conditions, random, known, true) : null;
    if (negated) apply(user, negated);
  }
  const when = segments[target]?.when;
  const rule = when === undefined ? undefined : compiled.resolved.rules[when];
  const solved = rule ? solveCondition(rule.conditions, random, known) : [];
  if (solved) apply(user, solved);
  return user;
}

function knownValues(compiled: CompiledCampaign): Map<string, unknown[]> {
  const known = new Map<string, unknown[]>();
  for (const [key, domain] of collectDomains(Object.values(compiled.resolved.rules))) {
    known.set(key, [...domain.strings, ...domain.numbers]);
  }
  return known;
}

function refusedByAge(landed: ReadonlyMap<string, number>): boolean {
  return [...landed.keys()].some((s) => s.startsWith('(refused: '));
}

function findSegment(compiled: CompiledCampaign, segmentId: string): number {
  const { segments, id } = compiled.resolved.definition;
  const index = segments.findIndex((s: SegmentDefinition) => s.id === segmentId);
  if (index < 0) {
    const known = segments.map((s) => s.id);
    throw new TesterGenerationError(
      `campaign "${id}" has no segment "${segmentId}" (segments: ${known.join(', ')})`,
      'unknown_segment',
      { segment: segmentId, known },
    );
  }
  return index;
}

type Candidate = { profile: Record<string, unknown>; context: Record<string, unknown> };

async function landsIn(compiled: CompiledCampaign, user: Candidate): Promise<string> {
  return (
    (await compiled.matchSegment(factsOf({ userId: 'candidate', ...user }, compiled.resolved.definition)))
      ?.id ?? '(none)'
  );
}

/**
 * Where a candidate lands once the account-age check has passed: a candidate in the target segment that the
 * check refuses (no `registeredDays`, or one below the minimum) gets the minimum and is matched again; one the
 * target no longer takes then counts as refused (say, a segment only for accounts younger than the minimum).
 */
async function landsPassingAge(
  compiled: CompiledCampaign,
  user: Candidate,
  segmentId: string,
): Promise<string> {
  const landed = await landsIn(compiled, user);
  const { protection } = compiled.resolved.definition;
  const age = accountAgeCheck(protection, user.profile);
  if (landed !== segmentId || age === null || age.result === 'pass') return landed;
  user.profile[ACCOUNT_AGE_FIELD] = age.min;
  const passed = accountAgeCheck(protection, user.profile)?.result === 'pass';
  return passed && (await landsIn(compiled, user)) === segmentId
    ? segmentId
    : `(refused: ${ACCOUNT_AGE_FIELD} below minAccountAgeDays ${age.min})`;
}

export async function generateTesters(input: GenerateTestersInput): Promise<GeneratedTester[]> {
  const { compiled, segmentId, count, random } = input;
  if (!Number.isSafeInteger(count) || count < 1)
    throw new TesterGenerationError('count must be a positive integer', 'invalid_count');
  const target = findSegment(compiled, segmentId);
  const definition = compiled.resolved.definition;
  const rules = Object.values(compiled.resolved.rules);
  const factory = syntheticUserFactory(definition, rules, random);
  const sample = (): { profile: Record<string, unknown>; context: Record<string, unknown> } => {
    const user = factory(0);
    return { profile: user.profile, context: user.context };
  };
  const known = knownValues(compiled);
  const keepContext = readsContext(compiled, target);
  const found: Array<{ profile: Record<string, unknown>; context: Record<string, unknown> }> = [];
  const seen = new Set<string>();
  const attempts = count * (input.attemptsPerTester ?? 300);
  const landed = new Map<string, number>();
  for (let attempt = 0; attempt < attempts && found.length < count; attempt++) {
    const user = candidate(input, target, sample, known, attempt);
    const got = await landsPassingAge(compiled, user, segmentId);
    landed.set(got, (landed.get(got) ?? 0) + 1);
    if (got !== segmentId) continue;
    const key = JSON.stringify(user);
    // Distinct profiles first; once attempts run low, a repeat is still a valid tester.
    if (seen.has(key) && attempt < attempts / 2) continue;
    seen.add(key);
    found.push({ profile: user.profile, context: keepContext ? user.context : {} });
  }
  if (found.length === 0) {
    const where = [...landed].map(([s, n]) => `${s}: ${n}`).join(', ');
    throw new TesterGenerationError(
      `no synthetic profile reached segment "${segmentId}" of "${definition.id}" in ${attempts} attempts ` +
        `(candidates landed in ${where}); an earlier segment may catch every profile it accepts, or its rule ` +
        'needs history or values this generator cannot build — check it with `pocket explain`' +
        (refusedByAge(landed)
          ? `; profiles it accepts are refused (403 velocity) by protection.velocity.minAccountAgeDays`
          : ''),
      'segment_unreachable',
    );
  }
  const ids = nextIds(input.prefix ?? `qa-${segmentId}`, input.takenIds, count);
  return ids.map((userId, i) => {
    const user = found[i % found.length] as (typeof found)[number];
    return { userId, profile: user.profile, context: user.context };
  });
}
