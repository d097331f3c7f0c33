/**
 * DESIGN.md Invariants 2: "A user never gets more than the per-user limits, even with many parallel
 * requests". Each user sends 50 requests at once with different Idempotency-Keys against perUser
 * { total: 3, daily: 2 }: at most 2 grants on the first business day, then on the next day the daily limit
 * allows one more and the total stops there.
 * Then the same with the hot state's per-user lock lost (and, second, its per-user counts too), so that a
 * user's requests really run at the same time: the ledger's own per-user sequence fence holds the limits,
 * and `limit_reached` (a final, stored answer) is only ever said when the ledger shows the limit reached.
 */
import type { AvailabilityRead, BeginInput, EndInput, HotState } from '../../../src/hot-state/hot-state';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import {
  DAY_ONE_DATE,
  DAY_TWO,
  DAY_TWO_DATE,
  ledgerGrants,
  outcomeOf,
  startPockets,
  tally,
  type GrantRow,
  type LiveServer,
  type PocketSet,
  type Reply,
  usePockets,
} from './invariant-harness';

const CAMPAIGN = 'three-per-user';
const USERS = ['solo-a', 'solo-b', 'solo-c', 'solo-d', 'solo-e'];
const PARALLEL = 50;

const campaigns = {
  [CAMPAIGN]: `
limits: { perUser: { total: 3, daily: 2 } }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100000 }
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 3 }, { reward: thanks, weight: 1 }]
decision: { strategy: weighted }
`,
};

/**
 * A hot state that lost its per-user locks (the lock is always granted), as after a Redis failover or a lock that
 * outlived its TTL; with `countless`, the reserve also ignores the per-user counts, as if they were lost.
 */
function losingUsers(state: HotState, countless: boolean): HotState {
  return new Proxy(state, {
    get(target, prop) {
      if (prop === 'beginAndRead') {
        return async (input: BeginInput, read: AvailabilityRead) => ({
          begun: 'ok',
          availability: await target.availability(input.campaignId, read.rewardIds, read.businessDate),
        });
      }
      // No lock to release; a committed reservation is still confirmed.
      if (prop === 'end') {
        return async (input: EndInput) => {
          if (input.confirmReservationId) await target.confirm(input.campaignId, input.confirmReservationId);
        };
      }
      if (prop === 'reserve' && countless) {
        return (request: Parameters<HotState['reserve']>[0]) =>
          target.reserve({
            ...request,
            limits: { ...request.limits, perUserTotal: null, perUserDaily: null },
          });
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** What a user may hear while a sibling request holds its lock or its limit is used up. */
const ALLOWED = new Set(['granted', 'limit_reached', '409:user_busy']);

describeEachBackend('invariant 2: per-user limits under parallel requests', (backend) => {
  const live = usePockets(backend, campaigns);

  /** 50 parallel requests of each user (all users at once), with keys never used before. */
  async function burst(day: string): Promise<Map<string, Reply[]>> {
    const all = await live.server.all(
      CAMPAIGN,
      USERS.flatMap((userId) =>
        Array.from({ length: PARALLEL }, (_, i) => ({ userId, key: `${day}-burst-${i}` })),
      ),
    );
    return new Map(USERS.map((u, n) => [u, all.slice(n * PARALLEL, (n + 1) * PARALLEL)]));
  }

  /** One request at a time until the user hears limit_reached (at most 5): the limit is reachable exactly. */
  async function topUp(userId: string, day: string): Promise<string[]> {
    const heard: string[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = outcomeOf(
        await live.server.participate(CAMPAIGN, { userId, key: `${day}-topup-${i}` }),
      );
      heard.push(outcome);
      if (outcome === 'limit_reached') return heard;
    }
    throw new Error(`${userId} never reached the limit: ${heard.join(', ')}`);
  }

  async function grantsOf(userId: string): Promise<GrantRow[]> {
    return (await ledgerGrants(live.server.pocket.db, CAMPAIGN)).filter((g) => g.user_id === userId);
  }

  it('never more than daily 2 on one day nor total 3 across days; the next day allows exactly one more', async () => {
    const dayOne = await burst('d1');
    for (const [userId, replies] of dayOne) {
      const outcomes = tally(replies);
      for (const o of Object.keys(outcomes)) expect(ALLOWED).toContain(o);
      expect(outcomes['granted'] ?? 0).toBeGreaterThanOrEqual(1);
      expect(outcomes['granted'] ?? 0).toBeLessThanOrEqual(2);
      expect((await grantsOf(userId)).length).toBe(outcomes['granted']);
    }
    for (const userId of USERS) {
      const heard = await topUp(userId, 'd1');
      expect(heard.filter((o) => o !== 'limit_reached').every((o) => o === 'granted')).toBe(true);
      const grants = await grantsOf(userId);
      expect(grants).toHaveLength(2);
      expect(grants.every((g) => g.business_date === DAY_ONE_DATE)).toBe(true);
      expect(grants.map((g) => g.daily_seq).sort()).toEqual([1, 2]);
    }

    live.set.clock.set(DAY_TWO);
    const dayTwo = await burst('d2');
    for (const replies of dayTwo.values()) {
      const outcomes = tally(replies);
      for (const o of Object.keys(outcomes)) expect(ALLOWED).toContain(o);
      expect(outcomes['granted'] ?? 0).toBeLessThanOrEqual(1);
    }
    for (const userId of USERS) {
      await topUp(userId, 'd2');
      const grants = await grantsOf(userId);
      expect(grants).toHaveLength(3);
      expect(grants.filter((g) => g.business_date === DAY_TWO_DATE)).toHaveLength(1);
      expect(grants.map((g) => g.user_seq).sort()).toEqual([1, 2, 3]);
      // The daily count of day two (1) is under its limit (2): only the total refuses now.
      expect(outcomeOf(await live.server.participate(CAMPAIGN, { userId, key: 'd2-after' }))).toBe(
        'limit_reached',
      );
      expect(await live.server.pocket.hotState.readUser(CAMPAIGN, userId)).toEqual({
        total: 3,
        daily: { [DAY_ONE_DATE]: 2, [DAY_TWO_DATE]: 1 },
      });
    }
  });
});

describeEachBackend(
  'invariant 2: per-user limits when the hot state lost its locks and counts',
  (backend) => {
    let backends: TestBackends;

    beforeAll(async () => {
      backends = await createBackends(backend);
    });
    afterAll(async () => {
      await backends?.destroy();
    });

    async function withPocket(
      countless: boolean,
      body: (server: LiveServer, set: PocketSet) => Promise<void>,
    ) {
      const set = await startPockets(backends, campaigns, {
        overrides: { hotState: losingUsers(backends.hotState(), countless) },
      });
      try {
        await body(set.servers[0] as LiveServer, set);
      } finally {
        await set.close();
      }
    }

    /** Retries a 409 user_busy one request at a time (at most 5 times); returns the final outcome. */
    async function settle(server: LiveServer, userId: string, key: string): Promise<string> {
      for (let i = 0; i < 5; i++) {
        const o = outcomeOf(await server.participate(CAMPAIGN, { userId, key }));
        if (o !== '409:user_busy') return o;
      }
      throw new Error(`${userId}/${key}: still user_busy`);
    }

    it('without locks: 2 parallel requests each for 20 users with room for 2 → nobody is told limit_reached', async () => {
      await withPocket(false, async (server) => {
        const users = Array.from({ length: 20 }, (_, i) => `lockless-${i}`);
        const requests = users.flatMap((userId) => [0, 1].map((k) => ({ userId, key: `k-${k}` })));
        const replies = await server.all(CAMPAIGN, requests);
        // Two grants of one user committing at once may compute the same sequence number: the loser was not
        // over the limit, so it must hear a transient 409 (retry), never a stored limit_reached.
        for (const o of Object.keys(tally(replies))) expect(['granted', '409:user_busy']).toContain(o);
        for (const [i, r] of replies.entries()) {
          if (r.status !== 409) continue;
          const p = requests[i] as { userId: string; key: string };
          expect(await settle(server, p.userId, p.key)).toBe('granted');
        }
        const grants = await ledgerGrants(server.pocket.db, CAMPAIGN);
        for (const userId of users) expect(grants.filter((g) => g.user_id === userId)).toHaveLength(2);
      });
    });

    it('without locks or counts: 50 parallel requests of one user → the ledger caps daily 2 and total 3', async () => {
      await withPocket(true, async (server, set) => {
        const users = ['countless-a', 'countless-b', 'countless-c'];
        const burst = (day: string) =>
          server.all(
            CAMPAIGN,
            users.flatMap((userId) => Array.from({ length: 50 }, (_, i) => ({ userId, key: `${day}-${i}` }))),
          );
        const count = async (userId: string, date?: string) =>
          (await ledgerGrants(server.pocket.db, CAMPAIGN)).filter(
            (g) => g.user_id === userId && (date === undefined || g.business_date === date),
          ).length;
        const allowed = ['granted', 'limit_reached', '409:user_busy'];

        const dayOne = await burst('d1');
        for (const o of Object.keys(tally(dayOne))) expect(allowed).toContain(o);
        for (const userId of users) {
          expect(await count(userId)).toBeLessThanOrEqual(2);
          // limit_reached was said to this user, so the ledger must show the daily limit reached.
          const heard = dayOne.filter(
            (r, i) => i >= users.indexOf(userId) * 50 && i < (users.indexOf(userId) + 1) * 50,
          );
          if (heard.some((r) => outcomeOf(r) === 'limit_reached')) expect(await count(userId)).toBe(2);
          expect(await settle(server, userId, 'd1-last')).toBe(
            (await count(userId)) < 2 ? 'granted' : 'limit_reached',
          );
        }
        set.clock.set(DAY_TWO);
        const dayTwo = await burst('d2');
        for (const o of Object.keys(tally(dayTwo))) expect(allowed).toContain(o);
        for (const userId of users) {
          expect(await count(userId, DAY_ONE_DATE)).toBeLessThanOrEqual(2);
          expect(await count(userId)).toBeLessThanOrEqual(3);
          const grants = (await ledgerGrants(server.pocket.db, CAMPAIGN)).filter((g) => g.user_id === userId);
          expect(new Set(grants.map((g) => g.user_seq)).size).toBe(grants.length);
        }
      });
    });
  },
);
