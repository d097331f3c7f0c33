/**
 * DESIGN.md Invariants 1: "Grants for a reward never exceed its stock", with 1,000 concurrent participations
 * by different users against a reward of stock 100 and no fallback; and afterwards the hot counters plus the
 * live reservations equal what the ledger holds (DESIGN.md correctness rules: "repair counts ledger + live
 * reservations").
 */
import { describeEachBackend } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  distinctUsers,
  hotAndLedgerCounters,
  ledgerGrants,
  participationCount,
  tally,
  usePockets,
} from './invariant-harness';

const CAMPAIGN = 'stock-hundred';

const campaigns = {
  [CAMPAIGN]: `
rewards:
  - { id: prize, type: coupon, name: Prize, value: 500, minSpend: 1000, cost: 100, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: prize, weight: 1 }]
decision: { strategy: weighted }
`,
};

describeEachBackend('invariant 1: stock under 1,000 concurrent participations', (backend) => {
  const live = usePockets(backend, campaigns);

  it('grants exactly 100 of a stock of 100; every other answer is out_of_stock; hot + reservations = ledger', async () => {
    const [server] = live.set.servers;
    if (!server) throw new Error('no server');
    const replies = await server.all(CAMPAIGN, distinctUsers('stock', 1000));

    expect(tally(replies)).toEqual({ granted: 100, out_of_stock: 900 });
    const grants = await ledgerGrants(server.pocket.db, CAMPAIGN);
    expect(grants).toHaveLength(100);
    expect(new Set(grants.map((g) => g.user_id)).size).toBe(100);
    expect(grants.map((g) => g.stock_slot).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    const answered = replies
      .filter((r) => r.status === 201)
      .map((r) => (r.body['grant'] as { id: string }).id);
    expect(answered.sort()).toEqual(grants.map((g) => g.id).sort());
    // Every answer is final, so every request left exactly one participation row.
    expect(await participationCount(server.pocket.db, { campaign_id: CAMPAIGN })).toBe(1000);

    const { hot, ledger } = await hotAndLedgerCounters(server.pocket, CAMPAIGN);
    expect(hot).toEqual(ledger);
    expect(ledger.stock).toEqual({ prize: { top: 100, free: [] } });
    expect(await server.pocket.hotState.reservations(CAMPAIGN)).toEqual([]);
    const availability = await server.pocket.hotState.availability(CAMPAIGN, ['prize'], DAY_ONE_DATE);
    expect(availability).toMatchObject({ initialized: true, stockUsed: { prize: 100 } });
  });
});
