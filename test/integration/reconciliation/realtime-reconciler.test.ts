/**
 * Real-time reconciliation on both backend pairs: hot counters deleted mid-campaign are rebuilt exactly with the
 * live reservations kept; drift seen twice is repaired, a difference seen once (a request in flight) is not;
 * expired reservations are settled by the ledger's word; drifted user counts are primed; budget and stock
 * alerts fire once.
 */
import nock from 'nock';
import type { HotState, Reservation } from '../../../src/hot-state/hot-state';
import { normalizeCounters } from '../../../src/hot-state/campaign-counters';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { silentLogger } from '../../../src/observability/logger';
import { reserveLimits } from '../../../src/publishing/campaign-snapshot';
import { diffCounters } from '../../../src/reconciliation/counter-diff';
import { KnexReconciliationReads } from '../../../src/reconciliation/knex-reconciliation-reads';
import { mergeCounters } from '../../../src/reconciliation/merge-counters';
import { RealtimeReconciler } from '../../../src/reconciliation/realtime-reconciler';
import type { Pocket } from '../../../src/server';
import { LeaseLostError } from '../../../src/shared/still-leader';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  AT,
  TINY,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const HOOK = 'http://hooks.realtime.test';
const grants = new KnexGrantStore();

describeEachBackend('real-time reconciliation', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let between: (() => Promise<void>) | null;
  let reconciler: RealtimeReconciler;
  let hooks: Array<{ event: string; occurrence: string }>;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      refreshMs: 3_600_000, // no background rebuild: the reconciler is the one under test
      config: { notifyUrl: `${HOOK}/pocket` },
    });
    between = null;
    reconciler = new RealtimeReconciler({
      db: backends.ledger.db,
      registry: pocket.registry,
      hotState: pocket.hotState,
      rebuilder: pocket.rebuilder,
      grants,
      reads: new KnexReconciliationReads(),
      discrepancies: pocket.delivery.discrepancies,
      runs: pocket.delivery.runs,
      alerts: pocket.delivery.alerts,
      clock,
      logger: silentLogger(),
      sleep: async () => {
        await between?.();
      },
    });
    hooks = [];
    nock(HOOK)
      .persist()
      .post('/pocket')
      .reply((_uri, body) => {
        const message = body as { event: string; occurrence: string };
        hooks.push({ event: message.event, occurrence: message.occurrence });
        return [204];
      });
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const db = () => backends.ledger.db;
  const hot = (): HotState => pocket.hotState;

  async function reserve(userId: string, reservationId: string): Promise<Reservation> {
    const snapshot = pocket.registry.get(TINY);
    const reward = snapshot?.rewards.get('rp');
    if (!snapshot || !reward) throw new Error('tiny-drop is not live');
    const result = await hot().reserve({
      campaignId: TINY,
      reservationId,
      userId,
      rewardId: 'rp',
      charge: 100,
      spends: true,
      businessDate: '2026-11-11',
      limits: reserveLimits(snapshot, reward),
      ttlMs: 60_000,
      now: clock().getTime(),
    });
    if (!result.ok) throw new Error(`reserve refused: ${result.reason}`);
    return result.reservation;
  }

  async function expected() {
    return mergeCounters(await grants.campaignCounters(db(), TINY), await hot().reservations(TINY));
  }

  async function deleteCounters(): Promise<void> {
    const { redis } = backends;
    if (!redis) {
      await hot().invalidate(TINY); // the in-memory counters; reservations and user counts stay
      return;
    }
    const keys = (await redis.keys(`*{${TINY}}:*`)).filter((k) =>
      /:(state|sfree:.*|bfree|dfree:.*)$/.test(k),
    );
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
  }

  it('rebuilds deleted counters exactly from the ledger + live reservations, keeping the reservations', async () => {
    await grantsFor(pocket, users('kept', 3), TINY);
    const live = await reserve('u-in-flight', 'res-in-flight');
    expect(live.stockSlot).toBe(4);
    const before = await expected();
    expect(await hot().readCounters(TINY)).toEqual(normalizeCounters(before));

    await deleteCounters();
    expect(await hot().readCounters(TINY)).toBeNull();
    const summary = await reconciler.run();
    expect(summary.found).toEqual({ hot_state_lost: 1 });
    expect(await hot().readCounters(TINY)).toEqual(normalizeCounters(before));
    expect((await hot().reservations(TINY)).map((r) => r.id)).toEqual(['res-in-flight']);
    const [lost] = await pocket.delivery.discrepancies.list(db(), { kinds: ['hot_state_lost'] });
    expect(lost).toMatchObject({ status: 'resolved', campaignId: TINY, runId: summary.runId });

    // The kept reservation still gives its slot back; the next participant takes exactly that slot.
    expect(await hot().release(TINY, 'res-in-flight')).toBe(true);
    await grantsFor(pocket, ['u-after'], TINY);
    const slots = (
      (await db()('grants').where({ campaign_id: TINY }).pluck('stock_slot')) as number[]
    ).sort();
    expect(slots).toEqual([1, 2, 3, 4]);
    expect(diffCounters((await hot().readCounters(TINY)) ?? before, await expected())).toEqual([]);
  });

  it('repairs drift seen in two comparisons: a leaked slot and a slot the ledger uses but the hot state freed', async () => {
    await grantsFor(pocket, users('drift', 2), TINY);
    // A reservation forgotten without a grant leaks slot 3 and [200, 300) of budget.
    await reserve('u-leak', 'res-leak');
    await hot().confirm(TINY, 'res-leak');
    // And the hot state forgets that slot 1 is taken.
    const counters = await hot().readCounters(TINY);
    if (!counters) throw new Error('no counters');
    await hot().initialize(TINY, { ...counters, stock: { rp: { top: 3, free: [1] } } }, true);

    const summary = await reconciler.run();
    expect(summary.found).toEqual({ counter_drift: 1 });
    expect(summary.repaired).toBe(1);
    const [drift] = await pocket.delivery.discrepancies.list(db(), { kinds: ['counter_drift'] });
    expect(drift?.status).toBe('resolved');
    expect(drift?.details['drift']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'stock:rp', hotOnly: [[2, 3]], expectedOnly: [[0, 1]] }),
        expect.objectContaining({ resource: 'budget', hotOnly: [[200, 300]], expectedOnly: [] }),
      ]),
    );
    expect(await hot().readCounters(TINY)).toEqual(normalizeCounters(await expected()));
    expect(hooks).toEqual([{ event: 'reconcile.discrepancy', occurrence: `discrepancy:${drift?.id}` }]);
    // A second run finds nothing.
    expect((await reconciler.run()).found).toEqual({});
  });

  it('resolves a lost-counters discrepancy left open by a failed rebuild once a later run has the counters back', async () => {
    await grantsFor(pocket, users('blip', 2), TINY);
    await deleteCounters();
    // The rebuild fails once (a Redis blip between the reads and the write): the difference stays open.
    const initialize = jest.spyOn(hot(), 'initialize').mockRejectedValueOnce(new Error('connection reset'));
    expect((await reconciler.run()).found).toEqual({ hot_state_lost: 1 });
    initialize.mockRestore();
    const open = () => pocket.delivery.discrepancies.list(db(), { status: 'open' });
    expect((await open()).map((d) => d.kind)).toEqual(['hot_state_lost']);

    // The next run rebuilds them: nothing is left open for a person, and the run after finds nothing.
    clock.advance(60_000);
    expect((await reconciler.run()).found).toEqual({ hot_state_lost: 1 });
    expect(await hot().readCounters(TINY)).toEqual(normalizeCounters(await expected()));
    expect(await open()).toEqual([]);
    clock.advance(60_000);
    expect((await reconciler.run()).found).toEqual({});
    const kinds = (await pocket.delivery.discrepancies.list(db())).map((d) => `${d.kind} ${d.status}`);
    expect(kinds).toEqual(['hot_state_lost resolved', 'hot_state_lost resolved']);
  });

  it('leaves a difference seen in only one comparison alone (a request in flight between the reads)', async () => {
    await grantsFor(pocket, users('calm', 2), TINY);
    const readCounters = hot().readCounters.bind(hot());
    jest.spyOn(hot(), 'readCounters').mockImplementationOnce(async (campaignId) => {
      const real = await readCounters(campaignId);
      // As if a reservation had taken slot 3 just before this read.
      return real && { ...real, stock: { rp: { top: 3, free: [] } } };
    });
    const repair = jest.spyOn(pocket.rebuilder, 'repair');
    const summary = await reconciler.run();
    expect(summary.found).toEqual({});
    expect(repair).not.toHaveBeenCalled();
  });

  it('settles expired reservations: released without a grant, kept with one', async () => {
    // A request whose commit outcome was unknown, and one whose confirm was lost after the commit.
    await reserve('u-unknown', 'res-unknown');
    // The confirm travels with the lock's release: that call is lost (the lock expires by itself).
    const end = jest.spyOn(hot(), 'end').mockResolvedValueOnce(undefined);
    const [committed] = await grantsFor(pocket, ['u-committed'], TINY);
    expect(end).toHaveBeenCalledWith(expect.objectContaining({ confirmReservationId: expect.any(String) }));
    expect((await hot().reservations(TINY)).length).toBe(2);
    const grantRow = await grants.get(db(), committed ?? '');

    expect((await reconciler.run()).found).toEqual({}); // not expired yet
    clock.advance(61_000);
    const summary = await reconciler.run();
    expect(summary.found).toEqual({ reservation_released: 1, reservation_confirmed: 1 });
    expect(await hot().reservations(TINY)).toEqual([]);
    // The unknown one's slot and budget came back; the committed one's stayed taken.
    expect(await hot().readCounters(TINY)).toEqual(
      normalizeCounters(await grants.campaignCounters(db(), TINY)),
    );
    expect(grantRow?.fences.stockSlot).not.toBeNull();
    expect(await hot().readUser(TINY, 'u-unknown')).toMatchObject({ total: 0 });
    const confirmed = await pocket.delivery.discrepancies.list(db(), { kinds: ['reservation_confirmed'] });
    expect(confirmed.map((d) => d.grantId)).toEqual([committed]);
  });

  it('primes the counts of a recently active user that drifted, under the user lock', async () => {
    await grantsFor(pocket, ['u-counted', 'u-counted'], TINY);
    await hot().primeUser(TINY, 'u-counted', { total: 0, daily: {} });
    const summary = await reconciler.run();
    expect(summary.found).toEqual({ user_counter_drift: 1 });
    expect(summary.usersChecked).toBe(1);
    expect(await hot().readUser(TINY, 'u-counted')).toEqual({ total: 2, daily: { '2026-11-11': 2 } });
    if (backends.redis && backends.redisKeys) {
      // Kept until a day after the window ends (2026-11-12T00:00+08:00, 14 h after the clock), not 45 days.
      const pttl = await backends.redis.pttl(backends.redisKeys.user(TINY, 'u-counted'));
      expect(pttl).toBeLessThanOrEqual(38 * 3600_000);
      expect(pttl).toBeGreaterThan(38 * 3600_000 - 60_000);
    }
    const [drift] = await pocket.delivery.discrepancies.list(db(), { kinds: ['user_counter_drift'] });
    expect(drift?.details).toEqual({
      userId: 'u-counted',
      hot: { total: 0, daily: {} },
      expected: { total: 2, daily: { '2026-11-11': 2 } },
    });
  });

  it('stops once its worker lost the scheduler lease, and records the run as abandoned, not running', async () => {
    await grantsFor(pocket, ['u-late', 'u-late'], TINY);
    await hot().primeUser(TINY, 'u-late', { total: 0, daily: {} });
    await expect(reconciler.run(() => false)).rejects.toThrow(LeaseLostError);
    const [run] = await pocket.delivery.runs.latest(db(), 'realtime', 1);
    expect(run).toMatchObject({
      status: 'failed',
      finishedAt: expect.any(Date),
      error: expect.stringContaining('abandoned: this worker lost the scheduler lease'),
      summary: expect.objectContaining({ abandoned: true, campaigns: [], usersChecked: 0 }),
    });
    // Nothing was checked: the user's drift is left to the lease's new holder.
    expect(await hot().readUser(TINY, 'u-late')).toEqual({ total: 0, daily: {} });
    expect((await reconciler.run()).found).toEqual({ user_counter_drift: 1 });
  });

  // A restart of the hot state (Redis, or the embedded process) loses every user's counts: loading them again is a
  // recovery, as the campaign counters' rebuild is, not one drift row per user active in the last 10 minutes.
  it('loads the counts of recent users the hot state lost, without a drift row per user', async () => {
    await grantsFor(pocket, ['u-back', 'u-back'], TINY);
    await backends.wipeHotState();
    const summary = await reconciler.run();
    // Each live campaign's counters were lost too: one row each says so.
    expect(summary.found).toEqual({ hot_state_lost: pocket.registry.list().length });
    expect([summary.usersChecked, summary.usersLoaded]).toEqual([1, 1]);
    expect(await hot().readUser(TINY, 'u-back')).toEqual({ total: 2, daily: { '2026-11-11': 2 } });
    expect(await pocket.delivery.discrepancies.list(db(), { kinds: ['user_counter_drift'] })).toEqual([]);
  });

  it('raises budget and stock alerts the campaign subscribes to, each once', async () => {
    await grantsFor(pocket, users('spend', 5), TINY); // 5 × 100 of 1000: half the budget, stock gone
    await reconciler.run();
    await reconciler.run();
    expect(hooks.map((h) => `${h.event} ${h.occurrence}`).sort()).toEqual([
      'budget.50pct daily:2026-11-11/1000',
      'budget.50pct total/1000',
      'stock.exhausted reward:rp/5',
    ]);
    const recorded = await pocket.delivery.notifications.list(db(), { campaignId: TINY });
    expect(recorded.map((n) => [n.message.event, n.message.occurrence, n.status]).sort()).toEqual([
      ['budget.50pct', 'daily:2026-11-11/1000', 'sent'],
      ['budget.50pct', 'total/1000', 'sent'],
      ['stock.exhausted', 'reward:rp/5', 'sent'],
    ]);
  });
});
