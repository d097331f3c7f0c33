/**
 * DESIGN.md Backends: "Several service instances share one PostgreSQL and one Redis" (on the embedded pair,
 * one SQLite file and one in-memory hot state), and issue 3: "Two service instances share PostgreSQL and
 * Redis → all of the above hold across both". Invariants 1 (stock), 2 (per-user limits) and 3 (one
 * execution per key) with every burst split between two instances, each with its own registry, rebuilder
 * and hot-state client.
 */
import { describeEachBackend } from '../../helpers/pocket';
import {
  DAY_TWO,
  distinctUsers,
  grantOf,
  hotAndLedgerCounters,
  ledgerGrants,
  outcomeOf,
  participationCount,
  tally,
  type LiveServer,
  type Participation,
  type Reply,
  usePockets,
} from './invariant-harness';

const STOCK = 'shared-stock';
const LIMITS = 'shared-limits';

const campaigns = {
  [STOCK]: `
rewards:
  - { id: prize, type: coupon, name: Prize, value: 500, minSpend: 1000, cost: 100, stock: 100 }
segments:
  - id: everyone
    rewards: [{ reward: prize, weight: 1 }]
decision: { strategy: weighted }
`,
  [LIMITS]: `
limits: { perUser: { total: 3, daily: 2 } }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100000 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
};

describeEachBackend('invariants 1-3 across two service instances', (backend) => {
  const live = usePockets(backend, campaigns, { instances: 2 });
  const servers = (): [LiveServer, LiveServer] => live.set.servers as [LiveServer, LiveServer];

  const db = () => live.server.pocket.db;
  const instance = (i: number): LiveServer => servers()[i % 2] as LiveServer;

  /** Every request at once, alternating between the two instances; replies in the order given. */
  function split(campaignId: string, requests: readonly Participation[]): Promise<Reply[]> {
    return Promise.all(requests.map((p, i) => instance(i).participate(campaignId, p)));
  }

  it('invariant 1: 1,000 users over two instances get exactly 100 of a stock of 100', async () => {
    const replies = await split(STOCK, distinctUsers('two-stock', 1000));
    expect(tally(replies)).toEqual({ granted: 100, out_of_stock: 900 });
    // Both instances granted some of them.
    expect(tally(replies.filter((_, i) => i % 2 === 0))['granted']).toBeGreaterThan(0);
    expect(tally(replies.filter((_, i) => i % 2 === 1))['granted']).toBeGreaterThan(0);
    const grants = await ledgerGrants(db(), STOCK);
    expect(grants).toHaveLength(100);
    expect(new Set(grants.map((g) => g.stock_slot)).size).toBe(100);
    for (const server of servers()) {
      const { hot, ledger } = await hotAndLedgerCounters(server.pocket, STOCK);
      expect(hot).toEqual(ledger);
      expect(ledger.stock).toEqual({ prize: { top: 100, free: [] } });
    }
  });

  it('invariant 2: 50 parallel keys per user over two instances never pass daily 2 nor total 3', async () => {
    const users = ['both-a', 'both-b', 'both-c'];
    const burst = (day: string) =>
      split(
        LIMITS,
        users.flatMap((userId) => Array.from({ length: 50 }, (_, i) => ({ userId, key: `${day}-${i}` }))),
      );
    const allowed = new Set(['granted', 'limit_reached', '409:user_busy']);
    const countOf = async (userId: string) =>
      (await ledgerGrants(db(), LIMITS)).filter((g) => g.user_id === userId).length;
    /** One request at a time, alternating instances, until limit_reached (at most 5). */
    const topUp = async (userId: string, day: string) => {
      for (let i = 0; i < 5; i++) {
        const o = outcomeOf(await instance(i).participate(LIMITS, { userId, key: `${day}-up-${i}` }));
        if (o === 'limit_reached') return;
        expect(o).toBe('granted');
      }
      throw new Error(`${userId} never reached the limit`);
    };

    for (const o of Object.keys(tally(await burst('d1')))) expect(allowed).toContain(o);
    for (const userId of users) {
      expect(await countOf(userId)).toBeLessThanOrEqual(2);
      await topUp(userId, 'd1');
      expect(await countOf(userId)).toBe(2);
    }
    live.set.clock.set(DAY_TWO);
    for (const o of Object.keys(tally(await burst('d2')))) expect(allowed).toContain(o);
    for (const userId of users) {
      expect(await countOf(userId)).toBeLessThanOrEqual(3);
      await topUp(userId, 'd2');
      expect(await countOf(userId)).toBe(3);
    }
  });

  it('invariant 3: one key sent 20× over two instances → one execution; 422 for another body; another user is separate', async () => {
    const replies = await split(
      LIMITS,
      Array.from({ length: 20 }, () => ({ userId: 'twin', key: 'across' })),
    );
    const granted = replies.filter((r) => r.status === 201);
    const others = replies.filter((r) => r.status !== 201).map(outcomeOf);
    expect(others.filter((o) => o !== '409:request_in_flight')).toEqual([]);
    expect(granted.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    const answer = granted[0] as Reply;
    for (const r of granted) expect(r.text).toBe(answer.text);
    expect(await participationCount(db(), { campaign_id: LIMITS, user_id: 'twin' })).toBe(1);
    const mine = (await ledgerGrants(db(), LIMITS)).filter((g) => g.user_id === 'twin');
    expect(mine.map((g) => g.id)).toEqual([grantOf(answer).id]);
    // Each instance replays the same bytes.
    for (const server of servers()) {
      const again = await server.participate(LIMITS, { userId: 'twin', key: 'across' });
      expect(again.text).toBe(answer.text);
      const other = await server.participate(LIMITS, {
        userId: 'twin',
        key: 'across',
        context: { channel: 'app', deviceId: 'another' },
      });
      expect(outcomeOf(other)).toBe('422:idempotency_mismatch');
    }
    const stranger = await servers()[1].participate(LIMITS, { userId: 'stranger', key: 'across' });
    expect(outcomeOf(stranger)).toBe('granted');
    expect(grantOf(stranger).id).not.toBe(grantOf(answer).id);
    expect(await participationCount(db(), { campaign_id: LIMITS, idem_key: 'across' })).toBe(2);
  });
});
