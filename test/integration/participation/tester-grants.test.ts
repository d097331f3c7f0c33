/**
 * DESIGN.md Semantics "Testers": their grants are flagged `test` and never spend real stock or budget
 * (issue 3: "Tester grants are flagged test and spend no real stock or budget"), while the per-user limits
 * still apply to them. Testers participate in parallel, alone and then in the middle of 1,000 real users
 * against a stock of 100: the real users still get exactly 100, and the stock and budget counters hold only
 * the real grants.
 */
import { describeEachBackend } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  distinctUsers,
  grantOf,
  hotAndLedgerCounters,
  ledgerGrants,
  outcomeOf,
  sum,
  tally,
  type Participation,
  usePockets,
} from './invariant-harness';

const CAMPAIGN = 'with-testers';
const TESTERS = Array.from({ length: 10 }, (_, i) => `qa-${i}`);

const campaigns = {
  [CAMPAIGN]: `
limits: { perUser: { total: 3, daily: 3 } }
budget: { currency: CNY, total: 100000, daily: 100000 }
rewards:
  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 150 }, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
testers:
${TESTERS.map((id) => `  - { userId: ${id}, profile: { registeredDays: 1 } }`).join('\n')}
`,
};

/** Each tester sends `keys` requests at once. */
function testerRequests(prefix: string, keys: number): Participation[] {
  return TESTERS.flatMap((userId) =>
    Array.from({ length: keys }, (_, k) => ({ userId, key: `${prefix}-${k}` })),
  );
}

describeEachBackend('tester grants spend no stock or budget', (backend) => {
  const live = usePockets(backend, campaigns);

  it('flags tester grants test, leaves the stock and budget counters alone, and keeps their per-user limits', async () => {
    const { db, hotState } = live.server.pocket;
    const alone = await live.server.all(CAMPAIGN, testerRequests('alone', 5));
    for (const o of Object.keys(tally(alone)))
      expect(['granted', 'limit_reached', '409:user_busy']).toContain(o);
    for (const r of alone.filter((x) => x.status === 201)) expect(grantOf(r).test).toBe(true);
    let grants = await ledgerGrants(db, CAMPAIGN);
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) {
      expect(g.test).toBe(true);
      expect([g.stock_slot, g.budget_start, g.daily_start]).toEqual([null, null, null]);
    }
    for (const userId of TESTERS) {
      expect(grants.filter((g) => g.user_id === userId).length).toBeLessThanOrEqual(3);
    }
    // Nothing real was spent: the hot counters say so, and so does the ledger.
    expect(await hotState.availability(CAMPAIGN, ['rp'], DAY_ONE_DATE)).toEqual({
      initialized: true,
      stockUsed: {},
      spent: 0,
      dailySpent: 0,
    });
    let counters = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(counters.hot).toEqual(counters.ledger);
    expect(counters.ledger).toEqual({ stock: {}, budget: { top: 0, free: [] }, daily: {} });

    // Then one more request per tester, in the middle of 1,000 real users.
    const real = distinctUsers('real', 1000);
    const mixed = [...real.slice(0, 500), ...testerRequests('mixed', 1), ...real.slice(500)];
    const replies = await live.server.all(CAMPAIGN, mixed);
    const realReplies = replies.filter((_, i) => !TESTERS.includes(mixed[i]?.userId ?? ''));
    expect(tally(realReplies)).toEqual({ granted: 100, out_of_stock: 900 });
    for (const r of realReplies.filter((x) => x.status === 201)) expect(grantOf(r).test).toBe(false);
    for (const r of replies.filter((_, i) => TESTERS.includes(mixed[i]?.userId ?? ''))) {
      expect(['granted', 'limit_reached', 'out_of_stock']).toContain(outcomeOf(r));
      if (r.status === 201) expect(grantOf(r).test).toBe(true);
    }

    grants = await ledgerGrants(db, CAMPAIGN);
    const realGrants = grants.filter((g) => !g.test);
    expect(realGrants).toHaveLength(100);
    expect(grants.filter((g) => g.test).every((g) => TESTERS.includes(g.user_id))).toBe(true);
    const realSpend = sum(realGrants.map((g) => g.charge));
    expect(await hotState.availability(CAMPAIGN, ['rp'], DAY_ONE_DATE)).toEqual({
      initialized: true,
      stockUsed: { rp: 100 },
      spent: realSpend,
      dailySpent: realSpend,
    });
    counters = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(counters.hot).toEqual(counters.ledger);
    expect(counters.ledger.stock).toEqual({ rp: { top: 100, free: [] } });
    expect(counters.ledger.budget).toEqual({ top: realSpend, free: [] });
  });
});
