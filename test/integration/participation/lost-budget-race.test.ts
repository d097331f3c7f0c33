/**
 * A lost budget race (README Decisions → Decision, "Lost reserve races"): a user whose read of the counters showed
 * more budget than the reserve found (another request took part of it in between, as at a budget's end under a
 * burst) gets what a fresh read gives: the same reward, a red packet cut down to what remains when that is still
 * ≥ min, the fallback only below it. The reward used to be excluded at once, so that user got the fallback while
 * a smaller packet was still there. The race is built with a hot state whose read before the choice never sees
 * what the earlier grants spent; the reserve, and the retry's fresh read, see the truth.
 */
import type { HotState, ReserveRequest } from '../../../src/hot-state/hot-state';
import type { Random } from '../../../src/decision/random';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  grantOf,
  hotAndLedgerCounters,
  ledgerGrants,
  startPockets,
  sum,
  type LiveServer,
  type PocketSet,
} from './invariant-harness';

const PACKETS = 'last-packets';
const COUPONS = 'last-coupons';
const SPLIT = 'split-budget';
const MIN = 100;
const MAX = 700;

const budgetOf = (rewards: string, segment: string) => `
budget: { currency: CNY, daily: 1000 }
rewards:
${rewards}
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: everyone
    rewards: [${segment}]
decision: { strategy: weighted, fallback: thanks }
`;

const packet = `  - { id: rp, type: red_packet, name: Red packet, amount: { min: ${MIN}, max: ${MAX} } }`;

const campaigns = {
  // small is drawn below 0.5, rp from 0.5: a second weighted draw on the retry would land on small.
  [PACKETS]: budgetOf(
    `  - { id: small, type: coupon, name: Small, value: 100, minSpend: 0, cost: 1 }\n${packet}`,
    '{ reward: small, weight: 1 }, { reward: rp, weight: 1 }',
  ),
  [COUPONS]: budgetOf(
    '  - { id: voucher, type: coupon, name: Voucher, value: 1000, minSpend: 0, cost: 600 }',
    '{ reward: voucher, weight: 1 }',
  ),
  [SPLIT]: budgetOf(packet, '{ reward: rp, weight: 1 }'),
};

/** The service's generator: each participation's numbers, in order; a number left over was never asked for. */
const numbers: number[] = [];
const random: Random = () => numbers.shift() ?? 0.99;
/** A weighted draw landing on rp; an amount draw of `max` (randomInt: min + floor(r × 2^53) % span). */
const ON_RP = 0.75;
const AMOUNT_MAX = (MAX - MIN) / 2 ** 53;

/** Every reserve, in order: the user, the reward and its charge. */
const reserves: Array<Pick<ReserveRequest, 'userId' | 'rewardId' | 'charge'>> = [];
const reservesOf = (userId: string) =>
  reserves.filter((r) => r.userId === userId).map((r) => `${r.rewardId}:${r.charge}`);

/** Reads before the choice that never see the budget spent (for these campaigns); every reserve recorded. */
function staleBudgetReads(hot: HotState, stale: ReadonlySet<string>): HotState {
  return new Proxy(hot, {
    get(target, prop, receiver) {
      if (prop === 'beginAndRead') {
        return async (...args: Parameters<HotState['beginAndRead']>) => {
          const result = await target.beginAndRead(...args);
          if (!stale.has(args[0].campaignId)) return result;
          return { ...result, availability: { ...result.availability, spent: 0, dailySpent: 0 } };
        };
      }
      if (prop === 'reserve') {
        return (request: ReserveRequest) => {
          reserves.push({ userId: request.userId, rewardId: request.rewardId, charge: request.charge });
          return target.reserve(request);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describeEachBackend('a lost budget race gets what a fresh read gives', (backend) => {
  let backends: TestBackends | undefined;
  let set: PocketSet | undefined;
  const server = (): LiveServer => {
    const s = set?.servers[0];
    if (!s) throw new Error('no server');
    return s;
  };
  const participate = async (campaignId: string, userId: string, draws: number[]) => {
    numbers.length = 0;
    numbers.push(...draws);
    const reply = await server().participate(campaignId, { userId, key: `k-${userId}` });
    return { grant: grantOf(reply), unused: numbers.length };
  };

  beforeAll(async () => {
    reserves.length = 0;
    backends = await createBackends(backend);
    const hotState = staleBudgetReads(backends.hotState(), new Set([PACKETS, COUPONS]));
    set = await startPockets(backends, campaigns, { overrides: { random, hotState } });
  });
  afterAll(async () => {
    await set?.close();
    await backends?.destroy();
  });

  it('cuts the red packet of a user who lost the race down to what remains, then gives the fallback below min', async () => {
    const first = await participate(PACKETS, 'p-first', [ON_RP, AMOUNT_MAX]);
    expect(first.grant).toMatchObject({ rewardId: 'rp', amount: 700 });

    // Read 1,000 left and drew 700; the reserve found 300. The fresh read pays 300 (≥ min) of the same reward,
    // drawn on the first weighted draw: the retry asks for one number, an amount.
    const second = await participate(PACKETS, 'p-second', [ON_RP, AMOUNT_MAX, AMOUNT_MAX, AMOUNT_MAX]);
    expect(second.grant).toMatchObject({ rewardId: 'rp', amount: 300, charge: 300 });
    expect(reservesOf('p-second')).toEqual(['rp:700', 'rp:300']);
    expect(second.unused).toBe(1);

    // Nothing is left: the fresh read makes rp unavailable, and the fallback is given.
    const third = await participate(PACKETS, 'p-third', [ON_RP, AMOUNT_MAX, AMOUNT_MAX]);
    expect(third.grant).toMatchObject({ rewardId: 'thanks', amount: 0 });
    expect(reservesOf('p-third')).toEqual(['rp:700', 'thanks:0']);

    const grants = await ledgerGrants(server().pocket.db, PACKETS);
    expect(sum(grants.filter((g) => g.business_date === DAY_ONE_DATE).map((g) => g.charge))).toBe(1000);
    const { hot, ledger } = await hotAndLedgerCounters(server().pocket, PACKETS);
    expect(hot).toEqual(ledger);
  });

  it('gives the fallback to a fixed-cost coupon that lost the race when what remains does not pay its cost', async () => {
    expect((await participate(COUPONS, 'c-first', [0.5])).grant.rewardId).toBe('voucher');
    const second = await participate(COUPONS, 'c-second', [0.5]);
    expect(second.grant.rewardId).toBe('thanks');
    expect(reservesOf('c-second')).toEqual(['voucher:600', 'thanks:0']);
  });

  it('when the reserves keep failing although the reads show enough, the last attempt gives the fallback', async () => {
    // What remains is 100 (= min), in two pieces of 50: every read pays a packet of 100, no reserve fits it.
    const counters = await server().pocket.hotState.readCounters(SPLIT);
    if (!counters) throw new Error('counters not initialized');
    const split = { ...counters, daily: { [DAY_ONE_DATE]: { top: 950, free: [[0, 50] as const] } } };
    await server().pocket.hotState.initialize(SPLIT, split, true);
    const user = await participate(SPLIT, 's-user', [ON_RP, AMOUNT_MAX, AMOUNT_MAX]);
    expect(user.grant.rewardId).toBe('thanks');
    expect(reservesOf('s-user')).toEqual(['rp:100', 'rp:100', 'thanks:0']);
  });
});
