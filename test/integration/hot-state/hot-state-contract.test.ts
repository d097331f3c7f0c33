import { isDeepStrictEqual } from 'node:util';
import type { HotState, Range, Reservation, ReserveResult } from '../../../src/hot-state/hot-state';
import { describeWithServices } from '../../helpers/services';
import {
  DAY1,
  DAY2,
  EMPTY_COUNTERS,
  newCampaign,
  request,
  seededRandom,
  tilingProblem,
} from './hot-state-fixtures';
import { memoryImplementation, redisImplementation, type Subject } from './hot-state-subjects';

function reservationOf(result: ReserveResult): Reservation {
  if (!result.ok) throw new Error(`expected a reservation, got ${result.reason}`);
  return result.reservation;
}

function refusals(results: ReserveResult[]): string[] {
  return [...new Set(results.flatMap((r) => (r.ok ? [] : [r.reason])))];
}

async function begun(
  hot: HotState,
  campaignId: string,
  userId: string,
  key: string,
  token: string,
  waitMs = 0,
) {
  return hot.begin({
    campaignId,
    userId,
    idempotencyKey: key,
    requestHash: 'h',
    lockToken: token,
    lockTtlMs: 5_000,
    markerTtlMs: 5_000,
    waitMs,
  });
}

async function ended(
  hot: HotState,
  campaignId: string,
  userId: string,
  key: string,
  token: string,
  final: boolean,
) {
  await hot.end({ campaignId, userId, idempotencyKey: key, lockToken: token, final, doneTtlMs: 60_000 });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads until the value is `want` (deeply) or `deadlineMs` have passed, and returns the last value read: for what
 * happens at a time of the store's choosing (an expiry), with a deadline that only ends a failing test.
 */
async function settled<T>(read: () => Promise<T>, want: T, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let value = await read();
  while (!isDeepStrictEqual(value, want) && Date.now() < deadline) {
    await sleep(20);
    value = await read();
  }
  return value;
}

describe.each([memoryImplementation, redisImplementation])('hot state contract', (implementation) => {
  describeWithServices(implementation.services, implementation.name, () => {
    let subject: Subject;
    let hot: HotState;
    let peer: HotState;

    beforeAll(async () => {
      subject = await implementation.setup();
      hot = subject.hot;
      peer = subject.peer;
    });
    afterAll(async () => {
      await subject?.teardown();
    });

    describe('initialization', () => {
      it('reports uninitialized until the counters are initialized', async () => {
        const cid = newCampaign();
        expect(await hot.reserve(request(cid))).toEqual({ ok: false, reason: 'uninitialized' });
        expect(await hot.readCounters(cid)).toBeNull();
        expect((await hot.availability(cid, ['rp-small'], DAY1)).initialized).toBe(false);
        expect(await hot.reservations(cid)).toEqual([]);

        expect(await hot.initialize(cid, EMPTY_COUNTERS)).toBe(true);
        expect((await hot.reserve(request(cid))).ok).toBe(true);
        expect((await peer.availability(cid, [], DAY1)).initialized).toBe(true);
      });

      it('writes once unless forced, and keeps counters in canonical form', async () => {
        const cid = newCampaign();
        const first = {
          stock: { 'rp-small': { top: 5, free: [5, 2, 4] }, coupon: { top: 0, free: [] } },
          budget: { top: 30, free: [[10, 20] as Range, [0, 5] as Range, [20, 25] as Range] },
          daily: { [DAY1]: { top: 12, free: [[2, 4] as Range] } },
        };
        expect(await hot.initialize(cid, first)).toBe(true);
        const canonical = {
          stock: { 'rp-small': { top: 3, free: [2] }, coupon: { top: 0, free: [] } },
          budget: {
            top: 30,
            free: [
              [0, 5],
              [10, 25],
            ],
          },
          daily: { [DAY1]: { top: 12, free: [[2, 4]] } },
        };
        expect(await hot.readCounters(cid)).toEqual(canonical);

        const second = { stock: { coupon: { top: 7, free: [1] } }, budget: { top: 3, free: [] }, daily: {} };
        expect(await peer.initialize(cid, second)).toBe(false);
        expect(await hot.readCounters(cid)).toEqual(canonical);

        expect(await peer.initialize(cid, second, true)).toBe(true);
        expect(await hot.readCounters(cid)).toEqual(second);
        const slot = reservationOf(
          await hot.reserve(request(cid, { rewardId: 'rp-small', limits: { stock: 9 } })),
        );
        expect(slot.stockSlot).toBe(1);
      });

      it('refuses malformed counters and changes nothing', async () => {
        const cid = newCampaign();
        const overlapping = {
          ...EMPTY_COUNTERS,
          budget: { top: 10, free: [[0, 5] as Range, [4, 6] as Range] },
        };
        await expect(hot.initialize(cid, overlapping)).rejects.toThrow(RangeError);
        const beyondTop = { ...EMPTY_COUNTERS, stock: { r: { top: 2, free: [3] } } };
        await expect(hot.initialize(cid, beyondTop)).rejects.toThrow(RangeError);
        expect(await hot.readCounters(cid)).toBeNull();
      });

      it('invalidate makes the next reserve report uninitialized, keeping reservations and user counts', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000, budgetDaily: 500 };
        const r = reservationOf(await hot.reserve(request(cid, { userId: 'u1', charge: 50, limits })));
        await peer.invalidate(cid);
        expect(await hot.reserve(request(cid, { limits }))).toEqual({ ok: false, reason: 'uninitialized' });
        expect(await hot.readCounters(cid)).toBeNull();
        expect(await hot.reservations(cid)).toEqual([r]);

        // Released while uninitialized: the user count goes back, no counter is recreated half-way.
        expect(await hot.release(cid, r.id)).toBe(true);
        expect(await hot.readCounters(cid)).toBeNull();
        expect((await hot.readUser(cid, 'u1')).total).toBe(0);
        expect(await hot.initialize(cid, EMPTY_COUNTERS)).toBe(true);
        expect(reservationOf(await hot.reserve(request(cid, { charge: 50, limits }))).stockSlot).toBe(1);
      });

      it('says whether it holds a user’s counts: not before the first reserve, nor after a wipe', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        expect(await hot.holdsUser(cid, 'u1')).toBe(false);
        reservationOf(await hot.reserve(request(cid, { userId: 'u1', limits: { stock: 5 } })));
        expect([await peer.holdsUser(cid, 'u1'), await peer.holdsUser(cid, 'u2')]).toEqual([true, false]);
        await subject.wipe();
        expect(await hot.holdsUser(cid, 'u1')).toBe(false);
        await hot.primeUser(cid, 'u1', { total: 0, daily: {} });
        expect(await peer.holdsUser(cid, 'u1')).toBe(true);
      });

      it('loses everything when the store is wiped, and reports uninitialized', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const r = reservationOf(await hot.reserve(request(cid, { userId: 'u1', limits: { stock: 5 } })));
        await subject.wipe();
        expect(await hot.reserve(request(cid, { limits: { stock: 5 } }))).toEqual({
          ok: false,
          reason: 'uninitialized',
        });
        expect(await peer.readCounters(cid)).toBeNull();
        expect(await hot.reservations(cid)).toEqual([]);
        expect(await hot.readUser(cid, 'u1')).toEqual({ total: 0, daily: {} });
        expect(await hot.release(cid, r.id)).toBe(false);
      });
    });

    describe('stock', () => {
      it('hands out unique slots 1..stock to exactly `stock` of 1000 parallel reserves', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            (i % 2 === 0 ? hot : peer).reserve(request(cid, { userId: `u${i}`, limits: { stock: 100 } })),
          ),
        );
        const slots = results.flatMap((r) => (r.ok ? [r.reservation.stockSlot] : []));
        expect(slots).toHaveLength(100);
        expect([...slots].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
        expect(refusals(results)).toEqual(['out_of_stock']);
        expect((await hot.availability(cid, ['rp-small', 'other'], DAY1)).stockUsed).toEqual({
          'rp-small': 100,
        });
        expect((await peer.readCounters(cid))?.stock).toEqual({ 'rp-small': { top: 100, free: [] } });
      });

      it('reuses a released slot before a new one, and lowers the top when the top slot comes back', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const take = async () => reservationOf(await hot.reserve(request(cid, { limits: { stock: 5 } })));
        const [s1, s2, s3] = [await take(), await take(), await take()];
        expect([s1.stockSlot, s2.stockSlot, s3.stockSlot]).toEqual([1, 2, 3]);

        expect(await hot.release(cid, s2.id)).toBe(true);
        expect((await hot.readCounters(cid))?.stock['rp-small']).toEqual({ top: 3, free: [2] });
        const again = await take();
        expect(again.stockSlot).toBe(2);

        await hot.release(cid, again.id);
        await hot.release(cid, s3.id);
        expect((await hot.readCounters(cid))?.stock['rp-small']).toEqual({ top: 1, free: [] });
        expect((await take()).stockSlot).toBe(2);
      });

      it('never hands out a released slot above a lowered stock', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, { ...EMPTY_COUNTERS, stock: { 'rp-small': { top: 3, free: [2] } } });
        expect(await hot.reserve(request(cid, { limits: { stock: 1 } }))).toEqual({
          ok: false,
          reason: 'out_of_stock',
        });
        expect(reservationOf(await hot.reserve(request(cid, { limits: { stock: 2 } }))).stockSlot).toBe(2);
      });

      it('takes no stock, budget or range for consolations and testers, but counts them per user', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, { ...EMPTY_COUNTERS, stock: { 'rp-small': { top: 1, free: [] } } });
        const limits = { stock: 1, budgetTotal: 10, budgetDaily: 10, perUserTotal: 2 };
        const tester = reservationOf(
          await hot.reserve(request(cid, { userId: 'qa', charge: 100, spends: false, limits })),
        );
        expect(tester).toMatchObject({ stockSlot: null, budgetRange: null, dailyRange: null, charge: 100 });
        const thanks = reservationOf(
          await hot.reserve(
            request(cid, { userId: 'qa', rewardId: 'thanks', limits: { ...limits, stock: null } }),
          ),
        );
        expect(thanks).toMatchObject({ stockSlot: null, budgetRange: null, dailyRange: null, charge: 0 });
        expect(await hot.reserve(request(cid, { userId: 'qa', rewardId: 'thanks', limits }))).toEqual({
          ok: false,
          reason: 'limit_reached',
        });
        expect(await hot.readUser(cid, 'qa')).toEqual({ total: 2, daily: { [DAY1]: 2 } });
        const counters = await hot.readCounters(cid);
        expect(counters?.stock['rp-small']).toEqual({ top: 1, free: [] });
        expect(counters?.budget).toEqual({ top: 0, free: [] });
      });
    });

    describe('budget', () => {
      it('never overlaps ranges nor exceeds the total or daily budget under parallel reserves and releases', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const random = seededRandom(20261111);
        const limits = { budgetTotal: 5_000, budgetDaily: 2_000 };
        const wave = (n: number) =>
          Array.from({ length: n }, (_, i) =>
            request(cid, {
              userId: `u${i}`,
              charge: 1 + Math.floor(random() * 60),
              businessDate: random() < 0.5 ? DAY1 : DAY2,
              limits,
            }),
          );
        const first = await Promise.all(wave(400).map((r, i) => (i % 2 ? hot : peer).reserve(r)));
        const live = new Map(
          first.flatMap((r) => (r.ok ? [[r.reservation.id, r.reservation] as const] : [])),
        );
        const toRelease = [...live.keys()].filter(() => random() < 0.35);
        const released = await Promise.all(toRelease.map((id, i) => (i % 2 ? peer : hot).release(cid, id)));
        expect(released.every(Boolean)).toBe(true);
        toRelease.forEach((id) => live.delete(id));
        const topBefore = (await hot.readCounters(cid))?.budget.top ?? 0;
        const second = await Promise.all(wave(300).map((r, i) => (i % 2 ? hot : peer).reserve(r)));
        second.forEach((r) => r.ok && live.set(r.reservation.id, r.reservation));

        expect(refusals([...first, ...second])).toEqual(['budget_exhausted']);
        const reserved = [...live.values()];
        for (const r of reserved) {
          expect(r.budgetRange && r.budgetRange[1] - r.budgetRange[0]).toBe(r.charge);
          expect(r.dailyRange && r.dailyRange[1] - r.dailyRange[0]).toBe(r.charge);
        }
        // Released ranges were reused: some second-wave range starts below the first wave's top.
        expect(second.some((r) => r.ok && (r.reservation.budgetRange?.[1] ?? 0) <= topBefore)).toBe(true);

        const counters = await peer.readCounters(cid);
        if (counters === null) throw new Error('counters lost');
        const budgetRanges = reserved.map((r) => r.budgetRange as Range);
        expect(tilingProblem(budgetRanges, counters.budget.free, counters.budget.top)).toBeNull();
        expect(counters.budget.top).toBeLessThanOrEqual(5_000);
        const spent = reserved.reduce((sum, r) => sum + r.charge, 0);
        expect((await hot.availability(cid, [], DAY1)).spent).toBe(spent);
        for (const day of [DAY1, DAY2]) {
          const ofDay = reserved.filter((r) => r.businessDate === day);
          const daily = counters.daily[day] ?? { top: 0, free: [] };
          expect(
            tilingProblem(
              ofDay.map((r) => r.dailyRange as Range),
              daily.free,
              daily.top,
            ),
          ).toBeNull();
          expect(daily.top).toBeLessThanOrEqual(2_000);
          expect((await hot.availability(cid, [], day)).dailySpent).toBe(
            ofDay.reduce((s, r) => s + r.charge, 0),
          );
        }
      });

      it('first-fits released ranges, keeps the remainder, and lowers the top through released ranges', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { budgetTotal: 100 };
        const take = async (charge: number) =>
          reservationOf(await hot.reserve(request(cid, { charge, limits })));
        const [a, b, c] = [await take(10), await take(20), await take(30)];
        expect([a.budgetRange, b.budgetRange, c.budgetRange]).toEqual([
          [0, 10],
          [10, 30],
          [30, 60],
        ]);
        expect(a.dailyRange).toBeNull();

        await hot.release(cid, b.id);
        expect((await hot.readCounters(cid))?.budget).toEqual({ top: 60, free: [[10, 30]] });
        const d = await take(5);
        expect(d.budgetRange).toEqual([10, 15]);
        expect((await hot.readCounters(cid))?.budget).toEqual({ top: 60, free: [[15, 30]] });
        const e = await take(40);
        expect(e.budgetRange).toEqual([60, 100]);
        expect(await hot.reserve(request(cid, { charge: 16, limits }))).toEqual({
          ok: false,
          reason: 'budget_exhausted',
        });

        await hot.release(cid, a.id);
        await hot.release(cid, d.id);
        expect((await hot.readCounters(cid))?.budget).toEqual({ top: 100, free: [[0, 30]] });
        await hot.release(cid, e.id);
        expect((await hot.readCounters(cid))?.budget).toEqual({ top: 60, free: [[0, 30]] });
        await hot.release(cid, c.id);
        expect((await hot.readCounters(cid))?.budget).toEqual({ top: 0, free: [] });
        expect((await hot.availability(cid, [], DAY1)).spent).toBe(0);
      });

      it('never hands out a released range that would end above a lowered budget', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, {
          ...EMPTY_COUNTERS,
          budget: { top: 100, free: [[50, 80]] },
          daily: { [DAY1]: { top: 100, free: [[50, 80]] } },
        });
        expect(await hot.reserve(request(cid, { charge: 10, limits: { budgetTotal: 55 } }))).toEqual({
          ok: false,
          reason: 'budget_exhausted',
        });
        expect(await hot.reserve(request(cid, { charge: 10, limits: { budgetDaily: 59 } }))).toEqual({
          ok: false,
          reason: 'budget_exhausted',
        });
        const r = reservationOf(
          await hot.reserve(request(cid, { charge: 10, limits: { budgetTotal: 60, budgetDaily: 60 } })),
        );
        expect(r).toMatchObject({ budgetRange: [50, 60], dailyRange: [50, 60] });
      });

      it('refuses the whole reserve when one resource is missing, and changes nothing', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 100, budgetDaily: 40, perUserDaily: 5 };
        reservationOf(await hot.reserve(request(cid, { userId: 'u1', charge: 30, limits })));
        const before = await hot.readCounters(cid);
        expect(await hot.reserve(request(cid, { userId: 'u1', charge: 20, limits }))).toEqual({
          ok: false,
          reason: 'budget_exhausted',
        });
        expect(await hot.readCounters(cid)).toEqual(before);
        expect(await hot.readUser(cid, 'u1')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
        // Another day has its own daily budget.
        const other = reservationOf(
          await hot.reserve(request(cid, { charge: 20, businessDate: DAY2, limits })),
        );
        expect(other).toMatchObject({ budgetRange: [30, 50], dailyRange: [0, 20], stockSlot: 2 });
      });
    });

    describe('per-user limits', () => {
      it('holds total and daily limits under 50 parallel reserves by one user', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 1_000, perUserTotal: 3, perUserDaily: 2 };
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? hot : peer).reserve(
              request(cid, {
                userId: 'busy-user',
                rewardId: i % 3 === 0 ? 'thanks' : 'rp-small',
                businessDate: i % 4 < 2 ? DAY1 : DAY2,
                limits: i % 3 === 0 ? { ...limits, stock: null } : limits,
              }),
            ),
          ),
        );
        const granted = results.flatMap((r) => (r.ok ? [r.reservation] : []));
        expect(granted).toHaveLength(3);
        expect(granted.filter((r) => r.businessDate === DAY1).length).toBeLessThanOrEqual(2);
        expect(granted.filter((r) => r.businessDate === DAY2).length).toBeLessThanOrEqual(2);
        expect(refusals(results)).toEqual(['limit_reached']);
        const user = await peer.readUser(cid, 'busy-user');
        expect(user.total).toBe(3);
        expect((user.daily[DAY1] ?? 0) + (user.daily[DAY2] ?? 0)).toBe(3);
      });

      it('primeUser replaces the counters that the limits are checked against', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        reservationOf(await hot.reserve(request(cid, { userId: 'u:1', businessDate: DAY2 })));
        await hot.primeUser(cid, 'u:1', { total: 2, daily: { [DAY1]: 2 } });
        expect(await peer.readUser(cid, 'u:1')).toEqual({ total: 2, daily: { [DAY1]: 2 } });
        expect(await hot.reserve(request(cid, { userId: 'u:1', limits: { perUserDaily: 2 } }))).toEqual({
          ok: false,
          reason: 'limit_reached',
        });
        expect(await hot.reserve(request(cid, { userId: 'u:1', limits: { perUserTotal: 2 } }))).toEqual({
          ok: false,
          reason: 'limit_reached',
        });
        expect((await hot.reserve(request(cid, { userId: 'u:1', limits: { perUserTotal: 3 } }))).ok).toBe(
          true,
        );
        expect(await hot.readUser(cid, 'u')).toEqual({ total: 0, daily: {} });
      });

      it("keeps a user's counts for the reserve's userTtlMs and a prime's ttlMs (userCountersTtlMs)", async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { perUserTotal: 1 };
        // Long enough for the counts to be read back before they expire on a busy host (with 40 ms, three round
        // trips to Redis could outlast it), short enough to wait for their expiry.
        const ttlMs = 1_000;
        reservationOf(await hot.reserve(request(cid, { userId: 'brief', userTtlMs: ttlMs, limits })));
        reservationOf(await hot.reserve(request(cid, { userId: 'lasting', limits })));
        await hot.primeUser(cid, 'primed', { total: 1, daily: { [DAY1]: 1 } }, ttlMs);
        expect((await peer.readUser(cid, 'brief')).total).toBe(1);
        expect((await peer.readUser(cid, 'primed')).total).toBe(1);
        const gone = { total: 0, daily: {} };
        expect(await settled(() => peer.readUser(cid, 'brief'), gone)).toEqual(gone);
        expect(await settled(() => peer.readUser(cid, 'primed'), gone)).toEqual(gone);
        expect(await peer.readUser(cid, 'lasting')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
        // Forgotten counts gate nothing: the ledger's per-user fence holds the limit (participation pipeline).
        expect((await hot.reserve(request(cid, { userId: 'brief', limits }))).ok).toBe(true);
      });

      it('refuses a user TTL that is not a positive whole number of milliseconds, before any write', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        await expect(hot.reserve(request(cid, { userId: 'bad', userTtlMs: 0 }))).rejects.toThrow(RangeError);
        await expect(hot.primeUser(cid, 'bad', { total: 1, daily: {} }, 1.5)).rejects.toThrow(RangeError);
        expect(await peer.readUser(cid, 'bad')).toEqual({ total: 0, daily: {} });
        expect(await hot.reservations(cid)).toEqual([]);
      });
    });

    describe('reservations', () => {
      it('release gives everything back once; a second release changes nothing', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000, budgetDaily: 500, perUserTotal: 5 };
        const a = reservationOf(await hot.reserve(request(cid, { userId: 'ua', charge: 100, limits })));
        const b = reservationOf(await hot.reserve(request(cid, { userId: 'ub', charge: 50, limits })));
        expect(a).toMatchObject({ stockSlot: 1, budgetRange: [0, 100], dailyRange: [0, 100] });
        expect(b).toMatchObject({ stockSlot: 2, budgetRange: [100, 150], dailyRange: [100, 150] });

        expect(await peer.release(cid, a.id)).toBe(true);
        const after = {
          stock: { 'rp-small': { top: 2, free: [1] } },
          budget: { top: 150, free: [[0, 100]] },
          daily: { [DAY1]: { top: 150, free: [[0, 100]] } },
        };
        expect(await hot.readCounters(cid)).toEqual(after);
        expect(await hot.readUser(cid, 'ua')).toEqual({ total: 0, daily: { [DAY1]: 0 } });
        expect(await hot.reservations(cid)).toEqual([b]);
        expect(await hot.availability(cid, ['rp-small'], DAY1)).toEqual({
          initialized: true,
          stockUsed: { 'rp-small': 1 },
          spent: 50,
          dailySpent: 50,
        });

        const again = await Promise.all([hot.release(cid, a.id), peer.release(cid, a.id)]);
        expect(again).toEqual([false, false]);
        expect(await hot.readCounters(cid)).toEqual(after);
        expect(await hot.readUser(cid, 'ua')).toEqual({ total: 0, daily: { [DAY1]: 0 } });
        expect(await hot.readUser(cid, 'ub')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
        expect(await hot.release(cid, 'never-reserved')).toBe(false);
      });

      it('parallel releases of one reservation give it back exactly once', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000 };
        const a = reservationOf(await hot.reserve(request(cid, { userId: 'ua', charge: 10, limits })));
        reservationOf(await hot.reserve(request(cid, { userId: 'ub', charge: 10, limits })));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? hot : peer).release(cid, a.id)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await hot.readCounters(cid)).toMatchObject({
          stock: { 'rp-small': { top: 2, free: [1] } },
          budget: { top: 20, free: [[0, 10]] },
        });
      });

      it('confirm forgets the reservation and keeps the counters', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000 };
        const a = reservationOf(await hot.reserve(request(cid, { userId: 'ua', charge: 10, limits })));
        const before = await hot.readCounters(cid);
        await peer.confirm(cid, a.id);
        await hot.confirm(cid, a.id);
        expect(await hot.reservations(cid)).toEqual([]);
        expect(await hot.readCounters(cid)).toEqual(before);
        expect(await hot.release(cid, a.id)).toBe(false);
        expect(await hot.readCounters(cid)).toEqual(before);
        expect((await hot.readUser(cid, 'ua')).total).toBe(1);
      });

      it('lists live reservations by expiry, expired ones included, with everything release needs', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const now = Date.now();
        const late = reservationOf(
          await hot.reserve(request(cid, { userId: 'a:b', rewardId: 'r:1', ttlMs: 60_000, now, charge: 7 })),
        );
        const expired = reservationOf(await hot.reserve(request(cid, { ttlMs: 1, now: now - 10_000 })));
        const confirmed = reservationOf(await hot.reserve(request(cid, { ttlMs: 30_000, now })));
        await hot.confirm(cid, confirmed.id);
        expect(late).toEqual({
          id: late.id,
          campaignId: cid,
          userId: 'a:b',
          rewardId: 'r:1',
          charge: 7,
          businessDate: DAY1,
          stockSlot: null,
          budgetRange: null,
          dailyRange: null,
          expiresAt: now + 60_000,
        });
        expect(await peer.reservations(cid)).toEqual([expired, late]);
      });

      it('reserve is idempotent by reservation id', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const req = request(cid, { userId: 'ua', charge: 10, limits: { stock: 10, budgetTotal: 100 } });
        const results = await Promise.all([hot.reserve(req), peer.reserve(req), hot.reserve(req)]);
        const first = reservationOf(results[0] as ReserveResult);
        expect(results.map(reservationOf)).toEqual([first, first, first]);
        expect(await hot.readCounters(cid)).toMatchObject({
          stock: { 'rp-small': { top: 1, free: [] } },
          budget: { top: 10, free: [] },
        });
        expect((await hot.readUser(cid, 'ua')).total).toBe(1);
        expect(await hot.reservations(cid)).toHaveLength(1);
      });

      it('keeps campaigns, users and rewards apart even when their ids contain separators', async () => {
        const [c1, c2] = [`x}:${newCampaign()}`, `x`];
        await hot.initialize(c1, EMPTY_COUNTERS);
        await hot.initialize(c2, EMPTY_COUNTERS);
        const limits = { stock: 5, perUserTotal: 1 };
        reservationOf(await hot.reserve(request(c1, { userId: 'a:b', rewardId: 'r:s', limits })));
        reservationOf(await hot.reserve(request(c1, { userId: 'a', rewardId: 'r', limits })));
        reservationOf(await hot.reserve(request(c2, { userId: 'a:b', rewardId: 'r:s', limits })));
        expect((await hot.readCounters(c1))?.stock).toEqual({
          'r:s': { top: 1, free: [] },
          r: { top: 1, free: [] },
        });
        expect((await hot.readCounters(c2))?.stock).toEqual({ 'r:s': { top: 1, free: [] } });
        await hot.invalidate(c2);
        expect(await hot.readCounters(c1)).not.toBeNull();
      });
    });

    describe('user lock and idempotency marker', () => {
      it('lets one request per user hold the lock; others get user_busy after waiting', async () => {
        const cid = newCampaign();
        expect(await begun(hot, cid, 'u1', 'k1', 'A')).toBe('ok');
        expect(await begun(peer, cid, 'u1', 'k2', 'B', 0)).toBe('user_busy');
        expect(await begun(peer, cid, 'u1', 'k2', 'B', 60)).toBe('user_busy');
        expect(await begun(peer, cid, 'u2', 'k2', 'C')).toBe('ok');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => begun(i % 2 ? hot : peer, cid, 'u3', `k${i}`, `T${i}`)),
        );
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r !== 'ok')).toEqual(Array(19).fill('user_busy'));
      });

      it('hands the lock to a waiting request as soon as it is released', async () => {
        const cid = newCampaign();
        expect(await begun(hot, cid, 'u1', 'k1', 'A')).toBe('ok');
        const waiting = begun(peer, cid, 'u1', 'k2', 'B', 5_000);
        await sleep(50);
        await ended(hot, cid, 'u1', 'k1', 'A', true);
        expect(await waiting).toBe('ok');
      });

      it('reports in_flight for the same key, done after a final end, nothing after a transient one', async () => {
        const cid = newCampaign();
        expect(await begun(hot, cid, 'u1', 'k1', 'A')).toBe('ok');
        expect(await begun(peer, cid, 'u1', 'k1', 'B', 1_000)).toBe('in_flight');
        await ended(hot, cid, 'u1', 'k1', 'A', true);
        expect(await begun(peer, cid, 'u1', 'k1', 'B')).toBe('done');

        expect(await begun(hot, cid, 'u1', 'k2', 'C')).toBe('ok');
        await ended(hot, cid, 'u1', 'k2', 'C', false);
        expect(await begun(peer, cid, 'u1', 'k2', 'D')).toBe('ok');
        // The same key for another user is a separate request.
        expect(await begun(hot, cid, 'u2', 'k1', 'E')).toBe('ok');
      });

      it('releases the lock only for its own token', async () => {
        const cid = newCampaign();
        expect(await begun(hot, cid, 'u1', 'k1', 'A')).toBe('ok');
        await ended(peer, cid, 'u1', 'k9', 'not-A', false);
        expect(await begun(peer, cid, 'u1', 'k2', 'B')).toBe('user_busy');
        await ended(hot, cid, 'u1', 'k1', 'A', false);
        expect(await begun(peer, cid, 'u1', 'k2', 'B')).toBe('ok');
      });

      it('tells the same key sent with another body while it runs apart from the same request in flight', async () => {
        const cid = newCampaign();
        const at = (requestHash: string, lockToken: string) => ({
          campaignId: cid,
          userId: 'u1',
          idempotencyKey: 'k1',
          requestHash,
          lockToken,
          lockTtlMs: 5_000,
          markerTtlMs: 5_000,
          waitMs: 0,
        });
        expect(await hot.begin(at('h1', 'A'))).toBe('ok');
        expect(await peer.begin(at('h1', 'B'))).toBe('in_flight');
        expect(await peer.begin(at('h2', 'B'))).toBe('mismatch');
        // A run that ends without a final answer clears the marker, whatever body it ran with.
        await hot.end({ ...at('h1', 'A'), final: false, doneTtlMs: 5_000 });
        expect(await peer.begin(at('h2', 'B'))).toBe('ok');
      });

      it('expires the lock and the markers after their TTLs', async () => {
        const cid = newCampaign();
        const base = { campaignId: cid, userId: 'u1', waitMs: 0 };
        expect(
          await hot.begin({
            ...base,
            idempotencyKey: 'k1',
            requestHash: 'h',
            lockToken: 'A',
            lockTtlMs: 40,
            markerTtlMs: 40,
          }),
        ).toBe('ok');
        await hot.end({ ...base, idempotencyKey: 'k0', lockToken: 'x', final: true, doneTtlMs: 40 });
        await sleep(120);
        expect(await begun(peer, cid, 'u1', 'k1', 'B')).toBe('ok');
        await ended(peer, cid, 'u1', 'k1', 'B', false);
        expect(await begun(peer, cid, 'u1', 'k0', 'C')).toBe('ok');
      });

      it('beginAndRead: the same lock as begin, with the availability read in the same call', async () => {
        const cid = newCampaign();
        const input = (userId: string, key: string, token: string) => ({
          campaignId: cid,
          userId,
          idempotencyKey: key,
          requestHash: 'h',
          lockToken: token,
          lockTtlMs: 5_000,
          markerTtlMs: 5_000,
          waitMs: 0,
        });
        const read = { rewardIds: ['r1', 'r2'], businessDate: DAY1 };
        const cold = await hot.beginAndRead(input('u0', 'k0', 'Z'), read);
        expect(cold).toEqual({
          begun: 'ok',
          availability: { initialized: false, stockUsed: {}, spent: 0, dailySpent: 0 },
        });
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000, budgetDaily: 500 };
        reservationOf(await hot.reserve(request(cid, { userId: 'ua', rewardId: 'r1', charge: 30, limits })));
        const expected = await hot.availability(cid, read.rewardIds, read.businessDate);
        expect(expected).toMatchObject({
          initialized: true,
          stockUsed: { r1: 1 },
          spent: 30,
          dailySpent: 30,
        });

        expect(await hot.beginAndRead(input('u1', 'k1', 'A'), read)).toEqual({
          begun: 'ok',
          availability: expected,
        });
        // Busy, in flight and done: the lock's answers as begin gives them, the read still taken.
        expect(await peer.beginAndRead(input('u1', 'k2', 'B'), read)).toEqual({
          begun: 'user_busy',
          availability: expected,
        });
        expect((await peer.beginAndRead(input('u1', 'k1', 'B'), read)).begun).toBe('in_flight');
        await ended(hot, cid, 'u1', 'k1', 'A', true);
        expect((await peer.beginAndRead(input('u1', 'k1', 'C'), read)).begun).toBe('done');
        expect(await begun(peer, cid, 'u1', 'k3', 'D')).toBe('ok');
      });

      it('end with confirmReservationId confirms it (as confirm) and releases the lock in one call', async () => {
        const cid = newCampaign();
        await hot.initialize(cid, EMPTY_COUNTERS);
        const limits = { stock: 10, budgetTotal: 1_000 };
        expect(await begun(hot, cid, 'ua', 'k1', 'A')).toBe('ok');
        const a = reservationOf(await hot.reserve(request(cid, { userId: 'ua', charge: 10, limits })));
        const counters = await hot.readCounters(cid);
        await hot.end({
          campaignId: cid,
          userId: 'ua',
          idempotencyKey: 'k1',
          lockToken: 'A',
          final: true,
          doneTtlMs: 60_000,
          confirmReservationId: a.id,
        });
        expect(await hot.reservations(cid)).toEqual([]);
        expect(await hot.readCounters(cid)).toEqual(counters);
        expect(await hot.release(cid, a.id)).toBe(false);
        expect(await begun(peer, cid, 'ua', 'k1', 'B')).toBe('done');
        expect(await begun(peer, cid, 'ua', 'k2', 'B')).toBe('ok');
        // Another token's end still confirms (the grant committed) but leaves the holder's lock alone.
        const b = reservationOf(await hot.reserve(request(cid, { userId: 'ub', charge: 10, limits })));
        await hot.end({
          campaignId: cid,
          userId: 'ua',
          idempotencyKey: 'k9',
          lockToken: 'not-B',
          final: false,
          doneTtlMs: 60_000,
          confirmReservationId: b.id,
        });
        expect(await hot.reservations(cid)).toEqual([]);
        expect(await begun(hot, cid, 'ua', 'k3', 'C')).toBe('user_busy');
      });

      it('keeps keys and users with separators apart', async () => {
        const cid = newCampaign();
        expect(await begun(hot, cid, 'a:b', 'c', 'A')).toBe('ok');
        await ended(hot, cid, 'a:b', 'c', 'A', true);
        expect(await begun(hot, cid, 'a', 'b:c', 'B')).toBe('ok');
        expect(await begun(hot, cid, 'a:b', 'c', 'C')).toBe('done');
      });
    });
  });
});
