/**
 * DESIGN.md Invariants 1-2: "This holds even after the hot state is lost", with the rule "Redis is the gate;
 * the ledger is the fence" and the correctness rule "Lost hot state": the reserve reports `uninitialized`,
 * the service answers 503 until the counters are rebuilt from the ledger, which it does by itself.
 * - The hot state is wiped (a Redis restart) in the middle of a parallel run: no over-issue of stock,
 *   budget or per-user limits, 503s while rebuilding, then service again.
 * - The hot counters are corrupted (stock and budget tops set back to 0, per-user counts to 0): the
 *   ledger's fences refuse, the service answers 503 (or limit_reached for a user) and re-syncs; still no
 *   over-issue.
 * The registry poll is switched off, so every rebuild here is one the request path started by itself.
 */
import { describeEachBackend } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  distinctUsers,
  hotAndLedgerCounters,
  ledgerGrants,
  outcomeOf,
  sum,
  tally,
  untilServed,
  type GrantRow,
  type Participation,
  type Reply,
  usePockets,
} from './invariant-harness';

const STOCK = 'lost-stock';
const BUDGET = 'lost-budget';
const USERS = 'lost-users';
const CORRUPT = 'corrupt-counters';

const campaigns = {
  [STOCK]: `
limits: { perUser: { total: 2, daily: 2 } }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
  [BUDGET]: `
limits: { perUser: { total: 2, daily: 2 } }
budget: { currency: CNY, total: 6000, daily: 5000 }
rewards:
  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 150 }, stock: 100000 }
segments:
  - id: everyone
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
`,
  // Plenty of stock: only the per-user limit is at stake.
  [USERS]: `
limits: { perUser: { total: 2, daily: 2 } }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100000 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
  // Stock 100 and a budget of exactly 100 coupons: both fences are at stake at once.
  [CORRUPT]: `
limits: { perUser: { total: 1 } }
budget: { currency: CNY, total: 1000, daily: 1000 }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 10, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
};

const ALLOWED = new Set([
  'granted',
  'out_of_stock',
  'budget_exhausted',
  'limit_reached',
  '409:user_busy',
  '503:dependency_unavailable',
]);

/** Each user sends `keys` requests with different keys. */
function crowd(prefix: string, users: number, keys: number): Participation[] {
  return distinctUsers(prefix, users).flatMap((p) =>
    Array.from({ length: keys }, (_, k) => ({ userId: p.userId, key: `${p.key}-${k}` })),
  );
}

function perUser(grants: readonly GrantRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of grants) out.set(g.user_id, (out.get(g.user_id) ?? 0) + 1);
  return out;
}

function expectWithinLimits(
  grants: readonly GrantRow[],
  limits: { stock?: number; budget?: number; daily?: number; user: number },
): void {
  if (limits.stock !== undefined) {
    expect(grants.length).toBeLessThanOrEqual(limits.stock);
    const slots = grants.map((g) => g.stock_slot ?? 0);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.every((s) => s >= 1 && s <= (limits.stock ?? 0))).toBe(true);
  }
  if (limits.budget !== undefined)
    expect(sum(grants.map((g) => g.charge))).toBeLessThanOrEqual(limits.budget);
  if (limits.daily !== undefined) {
    expect(
      sum(grants.filter((g) => g.business_date === DAY_ONE_DATE).map((g) => g.charge)),
    ).toBeLessThanOrEqual(limits.daily);
  }
  expect(Math.max(0, ...perUser(grants).values())).toBeLessThanOrEqual(limits.user);
}

/**
 * limit_reached is a final answer (stored and replayed), so it must be true: whoever heard it holds the
 * limit's number of grants in the ledger (every request here is on one business day, where daily = total).
 */
async function expectTruthfulLimitReached(
  requests: ReadonlyArray<[string, Participation]>,
  replies: readonly Reply[],
  grantsOf: (campaignId: string) => Promise<GrantRow[]>,
  limit: number,
): Promise<void> {
  const counts = new Map<string, Map<string, number>>();
  for (const campaignId of new Set(requests.map(([c]) => c))) {
    counts.set(campaignId, perUser(await grantsOf(campaignId)));
  }
  const untrue = requests
    .filter((_, i) => replies[i] !== undefined && outcomeOf(replies[i] as Reply) === 'limit_reached')
    .map(([campaignId, p]) => `${campaignId}/${p.userId}: ${counts.get(campaignId)?.get(p.userId) ?? 0}`)
    .filter((line) => !line.endsWith(`: ${limit}`));
  expect(untrue).toEqual([]);
}

describeEachBackend('invariants 1-2 survive a lost or corrupted hot state', (backend) => {
  const live = usePockets(backend, campaigns, { overrides: { refreshMs: 2 ** 31 - 1 } });

  const grantsOf = (campaignId: string) => ledgerGrants(live.server.pocket.db, campaignId);

  /** Sends everything at once and wipes the hot state when `wipeAfter` answers have come back. */
  async function runWithWipe(
    requests: ReadonlyArray<[string, Participation]>,
    wipeAfter: number,
  ): Promise<Reply[]> {
    let answered = 0;
    let wiped: Promise<void> | undefined;
    const replies = await Promise.all(
      requests.map(async ([campaignId, p]) => {
        const reply = await live.server.participate(campaignId, p);
        answered += 1;
        if (answered === wipeAfter) wiped = live.backends.wipeHotState();
        return reply;
      }),
    );
    await wiped;
    return replies;
  }

  /** One request at a time, retrying 503s, until `stop` is heard (at most `max` participations). */
  async function drain(campaignId: string, prefix: string, stop: string, max: number): Promise<void> {
    for (let i = 0; i < max; i++) {
      const { reply } = await untilServed(live.server, campaignId, { userId: `${prefix}-${i}`, key: 'k' });
      if (outcomeOf(reply) === stop) return;
      expect(outcomeOf(reply)).toBe('granted');
    }
    throw new Error(`${campaignId}: never heard ${stop}`);
  }

  it('a wipe in the middle of a parallel run: no over-issue, 503 until rebuilt, then served again', async () => {
    // 150 users × 3 keys on the stock and budget campaigns, 100 users × 4 keys on the per-user one, interleaved;
    // the hot state is wiped after 200 answers.
    const streams = [
      crowd('s', 150, 3).map((p): [string, Participation] => [STOCK, p]),
      crowd('b', 150, 3).map((p): [string, Participation] => [BUDGET, p]),
      crowd('u', 100, 4).map((p): [string, Participation] => [USERS, p]),
    ];
    const requests = streams[0]!.flatMap((s, i) => [
      s,
      streams[1]![i]!,
      ...(streams[2]![i] ? [streams[2]![i]!] : []),
    ]);
    const replies = await runWithWipe(requests, 200);
    for (const o of Object.keys(tally(replies))) expect(ALLOWED).toContain(o);
    expectWithinLimits(await grantsOf(STOCK), { stock: 100, user: 2 });
    expectWithinLimits(await grantsOf(BUDGET), { budget: 6000, daily: 5000, user: 2 });
    expectWithinLimits(await grantsOf(USERS), { user: 2 });
    await expectTruthfulLimitReached(requests, replies, grantsOf, 2);

    // At rest: wipe again (after any rebuild the run started has finished, so none lands after the wipe).
    // The next request finds no counters and answers 503; the service rebuilds by itself.
    for (const campaignId of [STOCK, BUDGET, USERS]) await live.server.pocket.rebuilder.ensure(campaignId);
    await live.backends.wipeHotState();
    const first = await live.server.participate(STOCK, { userId: 'after-wipe', key: 'k' });
    expect(outcomeOf(first)).toBe('503:dependency_unavailable');
    const { reply } = await untilServed(live.server, STOCK, { userId: 'after-wipe', key: 'k' });
    expect(['granted', 'out_of_stock']).toContain(outcomeOf(reply));
    expect(await live.server.pocket.hotState.readCounters(STOCK)).not.toBeNull();

    // The per-user counts were lost too: the ledger's own per-user fence refuses every user already at 2.
    const atLimit = [...perUser(await grantsOf(USERS))].filter(([, n]) => n === 2).map(([u]) => u);
    expect(atLimit.length).toBeGreaterThan(0);
    for (const userId of atLimit) {
      const again = await untilServed(live.server, USERS, { userId, key: 'one-more' });
      expect(outcomeOf(again.reply)).toBe('limit_reached');
    }
    expectWithinLimits(await grantsOf(USERS), { user: 2 });

    // Rebuilt from the ledger, the campaigns sell out exactly: the losses cost nothing for good.
    await drain(STOCK, 'drain-s', 'out_of_stock', 120);
    await drain(BUDGET, 'drain-b', 'budget_exhausted', 120);
    const stock = await grantsOf(STOCK);
    expectWithinLimits(stock, { stock: 100, user: 2 });
    expect(stock).toHaveLength(100);
    const budget = await grantsOf(BUDGET);
    expectWithinLimits(budget, { budget: 6000, daily: 5000, user: 2 });
    expect(5000 - sum(budget.map((g) => g.charge))).toBeLessThan(50);
    for (const campaignId of [STOCK, BUDGET]) {
      const { hot, ledger } = await hotAndLedgerCounters(live.server.pocket, campaignId);
      expect(hot).toEqual(ledger);
    }
  });

  it('corrupted counters (tops back to 0, user counts 0): the ledger fences refuse, the service re-syncs', async () => {
    const { hotState } = live.server.pocket;
    // The wipes above took this campaign's counters too; have them in place before the baseline.
    expect(await live.server.pocket.rebuilder.ensure(CORRUPT)).toBe(true);
    const early = distinctUsers('early', 60);
    expect(tally(await live.server.all(CORRUPT, early))).toEqual({ granted: 60 });

    // Stock top and budget tops back to 0, as if nothing had been granted; every early user's count to 0.
    const corrupt = async (): Promise<void> => {
      await live.server.pocket.rebuilder.ensure(CORRUPT); // no rebuild in flight may overwrite the corruption
      await hotState.initialize(CORRUPT, { stock: {}, budget: { top: 0, free: [] }, daily: {} }, true);
      for (const p of early) await hotState.primeUser(CORRUPT, p.userId, { total: 0, daily: {} });
    };
    await corrupt();

    // The first reserve after the corruption takes slot 1 and range [0, 10), which the ledger holds: its
    // fence refuses, the answer is 503 and the counters are rebuilt. That user holds no grant, so on retry it
    // is served, never told limit_reached.
    const [first, ...late] = distinctUsers('late', 201) as [Participation, ...Participation[]];
    expect(outcomeOf(await live.server.participate(CORRUPT, first))).toBe('503:dependency_unavailable');
    expect(outcomeOf((await untilServed(live.server, CORRUPT, first)).reply)).toBe('granted');

    // Corrupted again, under a parallel burst of new users and of every early user trying a second time.
    await corrupt();
    const retry = early.map((p) => ({ userId: p.userId, key: `${p.key}-again` }));
    const replies = await live.server.all(CORRUPT, [...late, ...retry]);
    const outcomes = tally(replies);
    for (const o of Object.keys(outcomes)) expect(ALLOWED).toContain(o);
    // No early user got a second grant, whatever the hot state said.
    for (const r of replies.slice(late.length)) expect(outcomeOf(r)).not.toBe('granted');
    let grants = await grantsOf(CORRUPT);
    expectWithinLimits(grants, { stock: 100, budget: 1000, daily: 1000, user: 1 });

    // Re-synced: the 503'd users are served on retry, and the stock sells out exactly at 100.
    // None of them holds a grant, so none may hear limit_reached.
    for (const [i, p] of late.entries()) {
      if (replies[i]?.status !== 503) continue;
      const { reply } = await untilServed(live.server, CORRUPT, p);
      expect(['granted', 'out_of_stock', 'budget_exhausted']).toContain(outcomeOf(reply));
    }
    await drain(CORRUPT, 'drain-c', 'out_of_stock', 60);
    grants = await grantsOf(CORRUPT);
    expectWithinLimits(grants, { stock: 100, budget: 1000, daily: 1000, user: 1 });
    expect(grants).toHaveLength(100);
    expect(sum(grants.map((g) => g.charge))).toBe(1000);
    const { hot, ledger } = await hotAndLedgerCounters(live.server.pocket, CORRUPT);
    expect(hot).toEqual(ledger);
  });
});
