/**
 * `npm run bench:rules`: decisions per second on one core for a 10-segment campaign (segment match + reward
 * choice), pocket's compiled campaign against a plain json-rules-engine setup with default options, on the
 * same rules and users, in the same run, alternating the setups round by round and reporting medians.
 *
 * Environment: BENCH_USERS (20000), BENCH_ROUNDS (5), BENCH_MAX_MS per pass (3000).
 */
import type { SegmentDefinition } from '../../src/definitions/campaign-types';
import { availabilityFromUsage } from '../../src/decision/availability';
import { chooseReward } from '../../src/decision/choose-reward';
import { seededRandom } from '../../src/decision/random';
import { compileCampaign } from '../../src/rules/compile-campaign';
import { buildFacts, type FactsInput } from '../../src/rules/facts';
import { baselineMatcher } from './baseline-engine';
import { benchCampaign } from './bench-campaign';
import { ruleEvaluateMatcher } from './rule-evaluate-matcher';
import { syntheticUsers } from './synthetic-users';

const USERS = Number(process.env['BENCH_USERS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const MAX_MS = Number(process.env['BENCH_MAX_MS'] ?? 3_000);

type Match = (user: FactsInput) => Promise<SegmentDefinition | null>;
interface Setup {
  name: string;
  match: Match;
}

const format = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const resolved = benchCampaign();
  const campaign = resolved.definition;
  const users = syntheticUsers(USERS);
  const availability = availabilityFromUsage(campaign, { granted: {}, spent: 0, dailySpent: 0 });
  const now = new Date('2026-11-11T12:00:00+08:00');
  const random = seededRandom('rules-bench');

  const compiled = compileCampaign(resolved);
  const ruleEvaluate = ruleEvaluateMatcher(resolved);
  const setups: Setup[] = [
    {
      name: 'pocket (compiled campaign, matchSegment)',
      match: (user) => compiled.matchSegment(buildFacts(user)),
    },
    { name: 'json-rules-engine, default options, engine.run', match: baselineMatcher(resolved) },
    { name: 'pocket engine, Rule#evaluate per segment', match: (user) => ruleEvaluate(buildFacts(user)) },
  ];

  /** One pass: every user once (or until MAX_MS), each a segment match plus a reward choice. */
  async function measure({ match }: Setup, subset: readonly FactsInput[] = users): Promise<number> {
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(MAX_MS) * 1_000_000n;
    let decisions = 0;
    let granted = 0;
    for (const user of subset) {
      const segment = await match(user);
      if (segment !== null) {
        const choice = chooseReward({ campaign, segment, availability, now, random });
        if (choice.kind === 'reward') granted++;
      }
      decisions++;
      if ((decisions & 255) === 0 && process.hrtime.bigint() > deadline) break;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (granted > decisions) throw new Error('unreachable');
    return decisions / seconds;
  }

  // The setups must agree on every user before their speeds can be compared.
  const share = new Map<string, number>();
  let disagreements = 0;
  for (const user of users) {
    const ids = (await Promise.all(setups.map((s) => s.match(user)))).map((s) => s?.id ?? '(none)');
    if (new Set(ids).size > 1) disagreements++;
    share.set(ids[0]!, (share.get(ids[0]!) ?? 0) + 1);
  }
  const pct = (n: number) => `${((100 * n) / users.length).toFixed(1)}%`;
  console.log(
    `rules bench: ${campaign.segments.length} segments, ${format(users.length)} synthetic users, ` +
      `${ROUNDS} rounds of ≤ ${MAX_MS} ms per setup, node ${process.version}, one core`,
  );
  console.log(
    `first matches: ${campaign.segments.map((s) => `${s.id} ${pct(share.get(s.id) ?? 0)}`).join(', ')}`,
  );
  console.log(`setups disagreeing on a user's segment: ${disagreements}`);
  if (disagreements > 0) process.exitCode = 1;

  for (const setup of setups) await measure(setup, users.slice(0, 2_000)); // warm-up
  const figures = setups.map(() => [] as number[]);
  for (let round = 1; round <= ROUNDS; round++) {
    const line: string[] = [];
    for (const [i, setup] of setups.entries()) {
      const perSecond = await measure(setup);
      figures[i]!.push(perSecond);
      line.push(format(perSecond));
    }
    console.log(`round ${round}: ${line.join(' / ')} decisions/s`);
  }

  const medians = figures.map(median);
  const [pocket, baseline] = medians as [number, number];
  console.log('\nmedian decisions/s (segment match + chooseReward):');
  setups.forEach((setup, i) => {
    console.log(
      `  ${setup.name.padEnd(48)} ${format(medians[i]!).padStart(8)}/s  ×${(medians[i]! / baseline).toFixed(2)}`,
    );
  });
  console.log(
    `pocket / json-rules-engine: ${(pocket / baseline).toFixed(2)}  (target: pocket ≥ 20,000 decisions/s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
