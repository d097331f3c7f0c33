/**
 * DESIGN.md Invariants 3: "One idempotency key gives exactly one execution. Replays return the identical
 * response." With the DESIGN.md Idempotency rules: the scope is (campaign, user, key); a twin still in flight
 * gets 409 request_in_flight; the same key with a different body is a 422 idempotency_mismatch; the same key
 * from another user is a separate execution.
 */
import { describeEachBackend } from '../../helpers/pocket';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import {
  DAY_ONE,
  grantOf,
  ledgerGrants,
  outcomeOf,
  participationCount,
  type Participation,
  type Reply,
  usePockets,
} from './invariant-harness';

const CAMPAIGN = 'once-per-key';

const campaigns = {
  [CAMPAIGN]: `
limits: { perUser: { total: 5 } }
rewards:
  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: 100000 }
segments:
  - id: everyone
    rewards: [{ reward: coupon, weight: 1 }]
decision: { strategy: weighted }
`,
};

/** The one execution's answer and the replays of it: byte-identical 201s, or 409 request_in_flight. */
function expectOneExecution(replies: readonly Reply[]): Reply {
  const granted = replies.filter((r) => r.status === 201);
  const others = replies.filter((r) => r.status !== 201);
  expect(others.map(outcomeOf).filter((o) => o !== '409:request_in_flight')).toEqual([]);
  expect(granted.length).toBeGreaterThanOrEqual(1);
  const first = granted[0] as Reply;
  for (const r of granted) expect(r.text).toBe(first.text);
  // Exactly one of them executed; every other 201 is a replay of the stored answer.
  expect(granted.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
  return first;
}

describeEachBackend('invariant 3: one execution per idempotency key', (backend) => {
  const live = usePockets(backend, campaigns);

  const db = () => live.server.pocket.db;

  it('one key sent 20× at once by each of 10 users → one execution each, the rest 409 or the identical answer', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `twin-${i}`);
    const replies = await live.server.all(
      CAMPAIGN,
      users.flatMap((userId) => Array.from({ length: 20 }, () => ({ userId, key: 'same-key' }))),
    );
    const grants = await ledgerGrants(db(), CAMPAIGN);
    for (const [n, userId] of users.entries()) {
      const answer = expectOneExecution(replies.slice(n * 20, (n + 1) * 20));
      expect(await participationCount(db(), { campaign_id: CAMPAIGN, user_id: userId })).toBe(1);
      const mine = grants.filter((g) => g.user_id === userId);
      expect(mine.map((g) => g.id)).toEqual([grantOf(answer).id]);
      // Later replays are still byte for byte.
      const later = await live.server.participate(CAMPAIGN, { userId, key: 'same-key' });
      expect(later.status).toBe(201);
      expect(later.text).toBe(answer.text);
    }
  });

  it('the same key with two different bodies at once → one execution; the other body gets 422 idempotency_mismatch', async () => {
    const userId = 'mismatch';
    const bodies: [Record<string, unknown>, Record<string, unknown>] = [
      { channel: 'app' },
      { channel: 'app', deviceId: 'other-device' },
    ];
    const replies = await live.server.all(
      CAMPAIGN,
      Array.from({ length: 20 }, (_, i) => ({
        userId,
        key: 'k-mixed',
        context: bodies[i % 2] as Record<string, unknown>,
      })),
    );
    expect(await participationCount(db(), { campaign_id: CAMPAIGN, user_id: userId })).toBe(1);
    const grants = (await ledgerGrants(db(), CAMPAIGN)).filter((g) => g.user_id === userId);
    expect(grants).toHaveLength(1);
    const winner = replies.find((r) => r.status === 201 && r.headers['idempotent-replayed'] !== 'true');
    if (!winner) throw new Error(`no execution: ${replies.map(outcomeOf).join(', ')}`);
    expect(grantOf(winner).id).toBe(grants[0]?.id);
    const winnerParity = replies.indexOf(winner) % 2;
    for (const [i, r] of replies.entries()) {
      if (i % 2 === winnerParity)
        expect(['201', '409:request_in_flight']).toContain(r.status === 201 ? '201' : outcomeOf(r));
      else expect(['422:idempotency_mismatch', '409:request_in_flight']).toContain(outcomeOf(r));
      if (r.status === 201) expect(r.text).toBe(winner.text);
    }
    // Once settled, the losing body is refused with 422 every time, and nothing more is executed.
    const loser = bodies[(winnerParity + 1) % 2] as Record<string, unknown>;
    const again = await live.server.participate(CAMPAIGN, { userId, key: 'k-mixed', context: loser });
    expect(outcomeOf(again)).toBe('422:idempotency_mismatch');
    expect(await participationCount(db(), { campaign_id: CAMPAIGN, user_id: userId })).toBe(1);
  });

  it('the same key from 20 other users at once → 20 separate executions', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `other-${i}`);
    const replies = await live.server.all(
      CAMPAIGN,
      users.map((userId) => ({ userId, key: 'shared-key' })),
    );
    expect(replies.map(outcomeOf)).toEqual(users.map(() => 'granted'));
    expect(new Set(replies.map((r) => grantOf(r).id)).size).toBe(20);
    expect(new Set(replies.map((r) => r.body['participationId'])).size).toBe(20);
    expect(await participationCount(db(), { campaign_id: CAMPAIGN, idem_key: 'shared-key' })).toBe(20);
    const grants = (await ledgerGrants(db(), CAMPAIGN)).filter((g) => users.includes(g.user_id));
    expect(grants.map((g) => g.user_id).sort()).toEqual([...users].sort());
  });
});

/** A profile source that holds the users in `held` until `release()`: a request kept in flight past the lock. */
class HeldProfiles implements ProfileSource {
  readonly held = new Set<string>();
  private waiting: Array<() => void> = [];
  private arrived: Array<() => void> = [];

  profile(userId: string): Promise<Record<string, unknown>> {
    if (!this.held.has(userId)) return Promise.resolve({});
    for (const signal of this.arrived.splice(0)) signal();
    return new Promise((resolve) => this.waiting.push(() => resolve({})));
  }

  /** Resolves once a held user's request has reached the profile lookup (past liveness and the lock). */
  reached(): Promise<void> {
    return new Promise((resolve) => this.arrived.push(resolve));
  }

  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }
}

describeEachBackend(
  'invariant 3: a key in flight is not answered by a refusal decided before the lock',
  (backend) => {
    const profiles = new HeldProfiles();
    const live = usePockets(backend, campaigns, { overrides: { profiles } });
    const db = () => live.server.pocket.db;

    /** Sends `first`, holds it at the profile lookup (past liveness and the lock) while `meanwhile` runs. */
    async function whileInFlight<T>(first: Participation, meanwhile: () => Promise<T>): Promise<[Reply, T]> {
      profiles.held.add(first.userId);
      const reached = profiles.reached();
      const running = live.server.participate(CAMPAIGN, first);
      // Fails at once, rather than at the suite's timeout, should the first answer without reaching the lookup.
      await Promise.race([
        reached,
        running.then((reply) => {
          throw new Error(`answered without being held: ${outcomeOf(reply)}`);
        }),
      ]);
      let during: T;
      try {
        during = await meanwhile();
      } finally {
        profiles.held.delete(first.userId);
        profiles.release();
      }
      return [await running, during];
    }

    it('another body whose refusal comes before the lock (a channel not allowed) is 422 at once, stored nothing', async () => {
      // It was answered channel_not_allowed and stored under the key, and the first request, admitted before it,
      // then answered 422 and granted nothing.
      const first = { userId: 'held-body', key: 'k-held', context: { channel: 'app' } };
      const other = { ...first, context: { channel: 'h5' } };
      const [answer, during] = await whileInFlight(first, () => live.server.participate(CAMPAIGN, other));
      expect(outcomeOf(during)).toBe('422:idempotency_mismatch');
      expect(outcomeOf(answer)).toBe('granted');
      expect(await participationCount(db(), { campaign_id: CAMPAIGN, user_id: first.userId })).toBe(1);
      expect((await live.server.participate(CAMPAIGN, first)).text).toBe(answer.text);
      expect(outcomeOf(await live.server.participate(CAMPAIGN, other))).toBe('422:idempotency_mismatch');
    });

    it('the same request sent again once the campaign has ended is 409 in flight, not a stored `ended`', async () => {
      // The first, admitted while the campaign was live, replayed the `ended` its retry had stored.
      const first = { userId: 'held-same', key: 'k-held-same' };
      const [answer, during] = await whileInFlight(first, async () => {
        live.set.clock.set(new Date('2026-11-14T10:00:00+08:00'));
        try {
          return await live.server.participate(CAMPAIGN, first);
        } finally {
          live.set.clock.set(DAY_ONE);
        }
      });
      expect(outcomeOf(during)).toBe('409:request_in_flight');
      expect(outcomeOf(answer)).toBe('granted');
      expect(await participationCount(db(), { campaign_id: CAMPAIGN, user_id: first.userId })).toBe(1);
      expect((await live.server.participate(CAMPAIGN, first)).text).toBe(answer.text);
    });
  },
);
