/**
 * DESIGN.md Invariants 1: "Spend never exceeds the budget, total or daily", with random red packet amounts
 * against a small budget under parallel requests; and DESIGN.md Semantics "When the budget runs low": a
 * drawn amount above the remaining budget is clamped to what remains when that is still ≥ min, otherwise the
 * reward is unavailable (budget_exhausted, or the fallback).
 */
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  DAY_TWO,
  DAY_TWO_DATE,
  distinctUsers,
  grantOf,
  hotAndLedgerCounters,
  ledgerGrants,
  outcomeOf,
  participationCount,
  startPockets,
  sum,
  tally,
  type GrantRow,
  type LiveServer,
  type PocketSet,
} from './invariant-harness';

const RANDOM = 'random-packets';
const CLAMP = 'clamped-packets';
const MIN = 50;
const MAX = 200;

const packets = (budget: string, fallback: boolean) => `
budget: { currency: CNY, ${budget} }
rewards:
  - { id: rp, type: red_packet, name: Red packet, amount: { min: ${MIN}, max: ${MAX} }, stock: 100000 }
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: everyone
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted${fallback ? ', fallback: thanks' : ''} }
`;

/**
 * randomInt maps r to min + floor(r * 2^53) % (max - min + 1): r = (max - min) / 2^53 draws `max` every
 * time (and picks the first reward of a weighted draw), so any amount below `max` was clamped.
 */
const drawsMax = (): number => (MAX - MIN) / 2 ** 53;

function spent(grants: readonly GrantRow[], date?: string): number {
  return sum(grants.filter((g) => date === undefined || g.business_date === date).map((g) => g.charge));
}

describeEachBackend('invariant 1: budget under parallel random amounts', (backend) => {
  let backends: TestBackends;

  beforeAll(async () => {
    backends = await createBackends(backend);
  });
  afterAll(async () => {
    await backends?.destroy();
  });

  describe('random amounts, no fallback (total 20000, daily 12000)', () => {
    let set: PocketSet;
    let server: LiveServer;
    beforeAll(async () => {
      set = await startPockets(backends, { [RANDOM]: packets('total: 20000, daily: 12000', false) });
      server = set.servers[0] as LiveServer;
    });
    afterAll(async () => set?.close());

    /** Sequential requests until budget_exhausted (at most 40): what remains is then below `min`. */
    async function drain(day: string): Promise<void> {
      for (let i = 0; i < 40; i++) {
        const o = outcomeOf(await server.participate(RANDOM, { userId: `${day}-drain-${i}`, key: 'k' }));
        if (o === 'budget_exhausted') return;
        expect(o).toBe('granted');
      }
      throw new Error('the budget never ran out');
    }

    it('never spends more than the daily or the total budget; every amount is in [min, max]; then budget_exhausted', async () => {
      const dayOne = await server.all(RANDOM, distinctUsers('rand-d1', 300));
      for (const o of Object.keys(tally(dayOne))) expect(['granted', 'budget_exhausted']).toContain(o);
      let grants = await ledgerGrants(server.pocket.db, RANDOM);
      expect(spent(grants, DAY_ONE_DATE)).toBeLessThanOrEqual(12000);
      await drain('d1');
      grants = await ledgerGrants(server.pocket.db, RANDOM);
      expect(spent(grants, DAY_ONE_DATE)).toBeLessThanOrEqual(12000);
      expect(12000 - spent(grants, DAY_ONE_DATE)).toBeLessThan(MIN);

      set.clock.set(DAY_TWO);
      const dayTwo = await server.all(RANDOM, distinctUsers('rand-d2', 300));
      for (const o of Object.keys(tally(dayTwo))) expect(['granted', 'budget_exhausted']).toContain(o);
      await drain('d2');
      grants = await ledgerGrants(server.pocket.db, RANDOM);
      expect(spent(grants, DAY_TWO_DATE)).toBeLessThanOrEqual(12000);
      expect(spent(grants)).toBeLessThanOrEqual(20000);
      expect(20000 - spent(grants)).toBeLessThan(MIN);

      for (const g of grants) {
        expect(g.amount).toBe(g.charge);
        expect(g.amount).toBeGreaterThanOrEqual(MIN);
        expect(g.amount).toBeLessThanOrEqual(MAX);
      }
      // The answers said what the ledger holds.
      const answered = [...dayOne, ...dayTwo].filter((r) => r.status === 201).map(grantOf);
      const byId = new Map(grants.map((g) => [g.id, g]));
      for (const a of answered) expect(a.amount).toBe(byId.get(a.id)?.amount);
      // The amounts really are random (a constant generator would make the clamp test below vacuous here).
      expect(new Set(grants.map((g) => g.amount)).size).toBeGreaterThan(10);

      const after = await server.all(RANDOM, distinctUsers('rand-after', 20));
      expect(tally(after)).toEqual({ budget_exhausted: 20 });
      const { hot, ledger } = await hotAndLedgerCounters(server.pocket, RANDOM);
      expect(hot).toEqual(ledger);
    });
  });

  describe('clamp: every draw is max, fallback thanks (total 1180, daily 700)', () => {
    let set: PocketSet;
    let server: LiveServer;
    beforeAll(async () => {
      set = await startPockets(
        backends,
        { [CLAMP]: packets('total: 1180, daily: 700', true) },
        { overrides: { random: drawsMax } },
      );
      server = set.servers[0] as LiveServer;
    });
    afterAll(async () => set?.close());

    /** A grant below max was clamped: it must end exactly where its budget ends (it took what remained). */
    function expectClampedToWhatRemained(grants: readonly GrantRow[]): void {
      for (const g of grants.filter((x) => x.reward_id === 'rp')) {
        expect(g.amount).toBeGreaterThanOrEqual(MIN);
        expect(g.amount).toBeLessThanOrEqual(MAX);
        if (g.amount < MAX) expect(g.daily_end === 700 || g.budget_end === 1180).toBe(true);
      }
    }

    async function drain(day: string): Promise<void> {
      for (let i = 0; i < 10; i++) {
        const r = await server.participate(CLAMP, { userId: `${day}-drain-${i}`, key: 'k' });
        if (grantOf(r).rewardId === 'thanks') return;
      }
      throw new Error('the fallback never came');
    }

    it('clamps the last red packet to exactly what remained (daily, then total), then gives the fallback', async () => {
      const dayOne = await server.all(CLAMP, distinctUsers('clamp-d1', 100));
      expect(dayOne.every((r) => r.status === 201)).toBe(true);
      await drain('d1');
      let grants = await ledgerGrants(server.pocket.db, CLAMP);
      expectClampedToWhatRemained(grants);
      // 200 + 200 + 200, then the 100 that remained of the daily 700.
      expect(spent(grants, DAY_ONE_DATE)).toBe(700);
      expect(
        grants
          .filter((g) => g.reward_id === 'rp')
          .map((g) => g.amount)
          .sort((a, b) => a - b),
      ).toEqual([100, 200, 200, 200]);

      set.clock.set(DAY_TWO);
      const dayTwo = await server.all(CLAMP, distinctUsers('clamp-d2', 100));
      expect(dayTwo.every((r) => r.status === 201)).toBe(true);
      await drain('d2');
      grants = await ledgerGrants(server.pocket.db, CLAMP);
      expectClampedToWhatRemained(grants);
      // 200 + 200, then the 80 that remained of the total 1180.
      expect(spent(grants, DAY_TWO_DATE)).toBe(480);
      expect(spent(grants)).toBe(1180);
      expect(
        grants
          .filter((g) => g.business_date === DAY_TWO_DATE && g.reward_id === 'rp')
          .map((g) => g.amount)
          .sort((a, b) => a - b),
      ).toEqual([80, 200, 200]);
      // Every other participation got the fallback, which charges nothing.
      for (const g of grants.filter((x) => x.reward_id === 'thanks')) expect(g.charge).toBe(0);
      expect(grants).toHaveLength(await participationCount(server.pocket.db, { campaign_id: CLAMP }));
      const { hot, ledger } = await hotAndLedgerCounters(server.pocket, CLAMP);
      expect(hot).toEqual(ledger);
    });
  });
});
