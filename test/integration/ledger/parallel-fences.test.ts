import { describeEachLedger, useLedger } from '../../helpers/ledger';
import {
  grants,
  insertGrant,
  outcome,
  participation,
  participations,
  type GrantOverrides,
} from './ledger-fixtures';

/**
 * Hundreds of concurrent transactions (participation + grant, as the service writes them) with colliding
 * fences: exactly the allowed number commit, and every refusal names its resource. The range fences take one
 * lock per campaign before they look, so overlapping writers are refused, never deadlocked.
 */
describeEachLedger('ledger fences under concurrency', (kind) => {
  const ledger = useLedger(kind, { pool: { min: 0, max: 20 } });
  const db = () => ledger.current.db;

  async function race(n: number, grant: (i: number) => GrantOverrides): Promise<Record<string, number>> {
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) => outcome(insertGrant(db(), grant(i)))),
    );
    const tally: Record<string, number> = {};
    for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
    return tally;
  }

  it('stock 100: 200 transactions over slots 1..150 (50 taken twice) → exactly 100 commit', async () => {
    const tally = await race(200, (i) => ({
      userId: `u${i}`,
      fences: { stockSlot: (i % 150) + 1, stockLimit: 100 },
    }));
    expect(tally).toEqual({ ok: 100, stock: 100 });
    const { stock } = await grants.campaignCounters(db(), 'c1');
    expect(stock).toEqual({ rp: { top: 100, free: [] } });
  });

  it('budget 1000: 200 transactions over aligned ranges of 10 (some twice, some above) → exactly 100 commit', async () => {
    const tally = await race(200, (i) => ({
      userId: `u${i}`,
      charge: 10,
      fences: { budgetRange: [(i % 150) * 10, (i % 150) * 10 + 10], budgetLimit: 1000 },
    }));
    expect(tally).toEqual({ ok: 100, budget: 100 });
    expect((await grants.usage(db(), 'c1')).spent).toBe(1000n);
  });

  it('daily budget: 200 transactions over misaligned overlapping ranges → committed ranges never overlap', async () => {
    // Each range overlaps only its neighbours 5 below and 5 above. How many commit depends on the order the
    // transactions take the campaign's lock in; every one ends committed or refused for an overlap, so the
    // committed ranges are a maximal non-overlapping set of this chain: at least a third of it (66).
    const tally = await race(200, (i) => ({
      userId: `u${i}`,
      charge: 10,
      fences: { dailyRange: [(i * 5) % 1000, ((i * 5) % 1000) + 10], dailyLimit: 1000 },
    }));
    for (const o of Object.keys(tally)) expect(['ok', 'daily_budget']).toContain(o);
    const rows = await db()('grants').select('daily_start', 'daily_end').orderBy('daily_start');
    let prevEnd = 0;
    for (const r of rows as Array<{ daily_start: number; daily_end: number }>) {
      expect(r.daily_start).toBeGreaterThanOrEqual(prevEnd);
      prevEnd = r.daily_end;
    }
    expect(prevEnd).toBeLessThanOrEqual(1000);
    expect(rows.length).toBe(tally.ok);
    expect(tally.ok).toBeGreaterThanOrEqual(66);
  });

  it('per user total 3 / daily 2: 50 parallel grants for one user → never more than the limits', async () => {
    const limits = { userLimit: 3, dailyUserLimit: 2 };
    const tally = await race(50, (i) => ({
      businessDate: i % 2 ? '2026-11-11' : '2026-11-12',
      fences: limits,
    }));
    expect((tally.ok ?? 0) + (tally.user_total ?? 0) + (tally.user_daily ?? 0)).toBe(50);
    expect(tally.ok).toBeGreaterThanOrEqual(1);
    expect(tally.ok).toBeLessThanOrEqual(3);
    // Losers of a race on the same sequence number may retry; the ledger still stops at the limit.
    for (let i = 0; i < 10; i++) {
      await outcome(insertGrant(db(), { businessDate: i % 2 ? '2026-11-11' : '2026-11-12', fences: limits }));
    }
    const counters = await grants.userCounters(db(), 'c1', 'u1');
    expect(counters.total).toBe(3);
    for (const n of Object.values(counters.daily)) expect(n).toBeLessThanOrEqual(2);
  });

  it('one idempotency scope sent 20 times at once → exactly one participation', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        outcome(participations.insert(db(), participation({ idemKey: 'same' }))),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'idempotency')).toHaveLength(19);
  });
});
