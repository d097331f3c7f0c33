/**
 * `npm run bench:rules`: decisions per second on one core for a 10-segment campaign, pocket's compiled
 * campaign (segment match + reward choice) against a plain json-rules-engine setup with default options,
 * on the same rules and users, measured in the same run, alternating A B A B and reporting medians.
 */
import type { SegmentDefinition } from '../../src/definitions/campaign-types';
import { compileCampaign } from '../../src/rules/compile-campaign';
import { buildFacts, type FactsInput } from '../../src/rules/facts';
import { benchCampaign } from './bench-campaign';
import { baselineMatcher } from './baseline-engine';
import { seededRandom, syntheticUsers } from './synthetic-users';
import { weightedRewardStub } from './weighted-reward-stub';

const USERS = Number(process.env['BENCH_USERS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
/** Each measured pass stops after all users or this many milliseconds, whichever comes first. */
const MAX_MS = Number(process.env['BENCH_MAX_MS'] ?? 3_000);

type Decide = (user: FactsInput) => Promise<SegmentDefinition | null>;

interface Pass {
  decisions: number;
  perSecond: number;
}

async function measure(decide: Decide, users: readonly FactsInput[], random: () => number): Promise<Pass> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(MAX_MS) * 1_000_000n;
  let decisions = 0;
  let sink = 0;
  for (const user of users) {
    const segment = await decide(user);
    if (segment !== null && weightedRewardStub(segment, random) !== null) sink++;
    decisions++;
    if ((decisions & 255) === 0 && process.hrtime.bigint() > deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink > decisions) throw new Error('unreachable');
  return { decisions, perSecond: decisions / seconds };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const resolved = benchCampaign();
  const users = syntheticUsers(USERS);
  const compiled = compileCampaign(resolved);
  const variants: Record<string, Decide> = {
    pocket: (user) => compiled.matchSegment(buildFacts(user)),
    'json-rules-engine (default options, engine.run)': baselineMatcher(resolved),
  };
  const names = Object.keys(variants);

  // Both must agree on every user before their speed means anything.
  const counts = new Map<string, number>();
  let disagreements = 0;
  for (const user of users) {
    const results = await Promise.all(names.map((name) => variants[name]!(user)));
    const ids = results.map((s) => s?.id ?? '(none)');
    if (new Set(ids).size > 1) disagreements++;
    counts.set(ids[0]!, (counts.get(ids[0]!) ?? 0) + 1);
  }

  console.log(
    `rules bench: ${resolved.definition.segments.length} segments, ${format(users.length)} synthetic users, ${ROUNDS} rounds, node ${process.version}`,
  );
  console.log(
    `segments: ${[...counts].map(([id, n]) => `${id} ${((100 * n) / users.length).toFixed(1)}%`).join(', ')}`,
  );
  console.log(`disagreements between setups: ${disagreements}`);

  const figures = new Map<string, number[]>(names.map((name) => [name, []]));
  const random = seededRandom(7);
  for (const name of names) await measure(variants[name]!, users.slice(0, 2_000), random); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    const line: string[] = [];
    for (const name of names) {
      const pass = await measure(variants[name]!, users, random);
      figures.get(name)!.push(pass.perSecond);
      line.push(`${name.split(' ')[0]} ${format(pass.perSecond)}/s (${format(pass.decisions)})`);
    }
    console.log(`round ${round}: ${line.join('  ')}`);
  }

  const medians = names.map((name) => median(figures.get(name)!));
  const base = medians[1]!;
  console.log('\nmedian decisions/s (segment match + weighted reward pick, one core):');
  names.forEach((name, i) => {
    const value = medians[i]!;
    console.log(`  ${name.padEnd(50)} ${format(value).padStart(9)}  ×${(value / base).toFixed(2)}`);
  });
  console.log(
    `pocket / json-rules-engine ratio: ${(medians[0]! / base).toFixed(2)}  (target: pocket ≥ 20,000/s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
