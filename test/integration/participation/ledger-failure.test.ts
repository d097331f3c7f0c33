/**
 * DESIGN.md Invariants 1-2 under a failing ledger, with the correctness rule "Releases … happen only after a
 * definite rollback" (issue 3: "The ledger fails after a reserve → no counter has moved, and nothing is
 * granted"). A trigger makes the outbox insert, the last statement of the grant transaction, fail after the
 * participation and the grant rows were written: every request answers 503 dependency_unavailable, the
 * transaction leaves no row, and every reservation (stock slot, budget and daily ranges, per-user counts)
 * is given back.
 */
import type { Db } from '../../../src/ledger/db';
import { isPostgres } from '../../../src/ledger/db';
import { describeEachBackend } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  distinctUsers,
  hotAndLedgerCounters,
  ledgerGrants,
  participationCount,
  sum,
  tally,
  usePockets,
} from './invariant-harness';

const CAMPAIGN = 'failing-ledger';
const FLAKY = 'flaky-ledger';

const campaigns = {
  [CAMPAIGN]: `
limits: { perUser: { total: 1, daily: 1 } }
budget: { currency: CNY, total: 100000, daily: 50000 }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
  [FLAKY]: `
limits: { perUser: { total: 1 } }
budget: { currency: CNY, total: 15000, daily: 12000 }
rewards:
  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 150 }, stock: 150 }
segments:
  - id: everyone
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
`,
};

/**
 * Outbox inserts fail from now on, every one or about `percent`% of them (a trigger raising an error: the
 * driver reports no fence, and the transaction rolls back).
 */
async function breakOutbox(db: Db, percent = 100): Promise<void> {
  if (isPostgres(db)) {
    await db.raw(
      `CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF random() * 100 < ${percent} THEN RAISE EXCEPTION 'injected ledger failure'; END IF;
       RETURN NEW; END $$`,
    );
    await db.raw(
      'CREATE TRIGGER outbox_injected_failure BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION injected_failure()',
    );
  } else {
    await db.raw(
      `CREATE TRIGGER outbox_injected_failure BEFORE INSERT ON outbox WHEN abs(random()) % 100 < ${percent}
       BEGIN SELECT RAISE(ABORT, 'injected ledger failure'); END`,
    );
  }
}

async function repairOutbox(db: Db): Promise<void> {
  await db.raw(
    isPostgres(db)
      ? 'DROP TRIGGER outbox_injected_failure ON outbox'
      : 'DROP TRIGGER outbox_injected_failure',
  );
}

describeEachBackend('invariants 1-2: the ledger fails after a reserve', (backend) => {
  const live = usePockets(backend, campaigns);

  it('answers 503 dependency_unavailable, writes nothing and gives every reservation back', async () => {
    const { db, hotState } = live.server.pocket;
    // Some real grants first, so the counters being compared are not all zero.
    expect(tally(await live.server.all(CAMPAIGN, distinctUsers('before', 10)))).toEqual({ granted: 10 });
    const before = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(before.hot).toEqual(before.ledger);
    const availabilityBefore = await hotState.availability(CAMPAIGN, ['coupon'], DAY_ONE_DATE);

    const victims = distinctUsers('victim', 50);
    await breakOutbox(db);
    try {
      const replies = await live.server.all(CAMPAIGN, victims);
      expect(tally(replies)).toEqual({ '503:dependency_unavailable': 50 });
    } finally {
      await repairOutbox(db);
    }

    // Nothing was granted or stored: the transaction rolled back as a whole.
    expect(await ledgerGrants(db, CAMPAIGN)).toHaveLength(10);
    for (const v of victims) {
      expect(await participationCount(db, { campaign_id: CAMPAIGN, user_id: v.userId })).toBe(0);
    }
    expect(await db('outbox').count({ n: '*' }).first()).toEqual({ n: 10 });
    // No counter moved: stock, budget and daily budget as before, no reservation left, no user charged.
    const after = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(after.hot).toEqual(before.hot);
    expect(after.ledger).toEqual(before.ledger);
    expect(await hotState.reservations(CAMPAIGN)).toEqual([]);
    expect(await hotState.availability(CAMPAIGN, ['coupon'], DAY_ONE_DATE)).toEqual(availabilityBefore);
    for (const v of victims) {
      const user = await hotState.readUser(CAMPAIGN, v.userId);
      expect(user.total).toBe(0);
      expect(Object.values(user.daily).every((n) => n === 0)).toBe(true);
    }

    // 503 is transient, so it was not stored: the same keys now execute, each once, with the slots given back.
    const retried = await live.server.all(CAMPAIGN, victims);
    expect(tally(retried)).toEqual({ granted: 50 });
    const settled = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(settled.hot).toEqual(settled.ledger);
    expect(settled.ledger.stock).toEqual({ coupon: { top: 60, free: [] } });
    expect(settled.ledger.budget).toEqual({ top: 6000, free: [] });
  });

  it('with a third of the transactions failing under parallel random red packets, released slots and ranges are reused and the hot counters stay equal to the ledger', async () => {
    const { db, hotState } = live.server.pocket;
    const users = distinctUsers('flaky', 400);
    await breakOutbox(db, 33);
    let replies;
    try {
      replies = await live.server.all(FLAKY, users);
    } finally {
      await repairOutbox(db);
    }
    const outcomes = tally(replies);
    for (const o of Object.keys(outcomes)) {
      expect(['granted', 'out_of_stock', 'budget_exhausted', '503:dependency_unavailable']).toContain(o);
    }
    expect(outcomes['503:dependency_unavailable'] ?? 0).toBeGreaterThan(0);
    expect(await hotState.reservations(FLAKY)).toEqual([]);
    let counters = await hotAndLedgerCounters(live.server.pocket, FLAKY);
    expect(counters.hot).toEqual(counters.ledger);

    // The failed users try again with a working ledger: the holes their rollbacks left are filled first.
    const failed = users.filter((_, i) => replies[i]?.status === 503);
    const retried = await live.server.all(FLAKY, failed);
    for (const o of Object.keys(tally(retried)))
      expect(['granted', 'out_of_stock', 'budget_exhausted']).toContain(o);
    counters = await hotAndLedgerCounters(live.server.pocket, FLAKY);
    expect(counters.hot).toEqual(counters.ledger);
    const grants = await ledgerGrants(db, FLAKY);
    const slots = grants.map((g) => g.stock_slot ?? 0).sort((a, b) => a - b);
    expect(slots.length).toBeLessThanOrEqual(150);
    expect(new Set(slots).size).toBe(slots.length);
    expect(sum(grants.map((g) => g.charge))).toBeLessThanOrEqual(12000);
  });
});

/**
 * The embedded ledger refuses the COMMIT itself (a full disk's SQLITE_FULL; here a deferred foreign key, which
 * SQLite checks at COMMIT and which leaves the transaction open): the ledger is the process's own file, so the
 * outcome is read back at once instead of being left to reconciliation. Every reservation is given back and the
 * connection is usable again; before, each reservation stayed until it expired (a minute, then the next
 * reconciliation turn), so a burst during a moment of full disk made the campaign answer its fallback reward to
 * everyone for that long, as if sold out.
 */
describe('invariants 1-2: the embedded ledger refuses the COMMIT [sqlite+memory]', () => {
  const live = usePockets('sqlite+memory', { [CAMPAIGN]: campaigns[CAMPAIGN] });

  it('answers 503, writes nothing and gives every reservation back at once', async () => {
    const { db, hotState } = live.server.pocket;
    expect(tally(await live.server.all(CAMPAIGN, distinctUsers('before', 10)))).toEqual({ granted: 10 });
    const before = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    const availabilityBefore = await hotState.availability(CAMPAIGN, ['coupon'], DAY_ONE_DATE);

    await db.raw('CREATE TABLE commit_refusal_parent (id INTEGER PRIMARY KEY)');
    await db.raw(
      `CREATE TABLE commit_refusal (parent INTEGER REFERENCES commit_refusal_parent (id)
       DEFERRABLE INITIALLY DEFERRED)`,
    );
    await db.raw(
      `CREATE TRIGGER outbox_commit_refusal AFTER INSERT ON outbox
       BEGIN INSERT INTO commit_refusal (parent) VALUES (1); END`,
    );
    const victims = distinctUsers('refused', 20);
    try {
      expect(tally(await live.server.all(CAMPAIGN, victims))).toEqual({ '503:dependency_unavailable': 20 });
    } finally {
      await db.raw('DROP TRIGGER outbox_commit_refusal');
    }

    expect(await ledgerGrants(db, CAMPAIGN)).toHaveLength(10);
    for (const v of victims) {
      expect(await participationCount(db, { campaign_id: CAMPAIGN, user_id: v.userId })).toBe(0);
    }
    expect(await hotState.reservations(CAMPAIGN)).toEqual([]);
    expect(await hotState.availability(CAMPAIGN, ['coupon'], DAY_ONE_DATE)).toEqual(availabilityBefore);
    const after = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(after.hot).toEqual(before.hot);

    // The same keys now execute, each once, on the slots given back.
    expect(tally(await live.server.all(CAMPAIGN, victims))).toEqual({ granted: 20 });
    const settled = await hotAndLedgerCounters(live.server.pocket, CAMPAIGN);
    expect(settled.hot).toEqual(settled.ledger);
    expect(settled.ledger.stock).toEqual({ coupon: { top: 30, free: [] } });
  });
});
