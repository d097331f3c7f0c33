/**
 * DESIGN.md Invariants 2: "A user never gets more than the per-user limits, even with many parallel
 * requests". Each user sends 50 requests at once with different Idempotency-Keys against perUser
 * { total: 3, daily: 2 }: at most 2 grants on the first business day, then on the next day the daily limit
 * allows one more and the total stops there.
 */
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

/** What a user may hear while a sibling request holds its lock or its limit is used up. */
const ALLOWED = new Set(['granted', 'limit_reached', '409:user_busy']);

describeEachBackend('invariant 2: per-user limits under parallel requests', (backend) => {
  let backends: TestBackends;
  let set: PocketSet;
  let server: LiveServer;

  beforeAll(async () => {
    backends = await createBackends(backend);
    set = await startPockets(backends, campaigns);
    server = set.servers[0] as LiveServer;
  });
  afterAll(async () => {
    await set?.close();
    await backends?.destroy();
  });

  /** 50 parallel requests of each user (all users at once), with keys never used before. */
  async function burst(day: string): Promise<Map<string, Reply[]>> {
    const all = await server.all(
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
      const outcome = outcomeOf(await server.participate(CAMPAIGN, { userId, key: `${day}-topup-${i}` }));
      heard.push(outcome);
      if (outcome === 'limit_reached') return heard;
    }
    throw new Error(`${userId} never reached the limit: ${heard.join(', ')}`);
  }

  async function grantsOf(userId: string): Promise<GrantRow[]> {
    return (await ledgerGrants(server.pocket.db, CAMPAIGN)).filter((g) => g.user_id === userId);
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

    set.clock.set(DAY_TWO);
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
      expect(outcomeOf(await server.participate(CAMPAIGN, { userId, key: 'd2-after' }))).toBe(
        'limit_reached',
      );
      expect(await server.pocket.hotState.readUser(CAMPAIGN, userId)).toEqual({
        total: 3,
        daily: { [DAY_ONE_DATE]: 2, [DAY_TWO_DATE]: 1 },
      });
    }
  });
});
