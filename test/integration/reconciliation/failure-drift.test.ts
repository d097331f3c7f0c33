/**
 * Counters after failures (DESIGN.md "Redis is the gate; the ledger is the fence", correctness rules "Reservations
 * live in hot state with a TTL" and "Failed or dead-lettered grants keep their counters until a void"): a
 * failure must never leave a position or a user's count taken for good, nor make reconciliation report a
 * difference that is not there.
 */
import request from 'supertest';
import { normalizeCounters } from '../../../src/hot-state/campaign-counters';
import type { EndInput } from '../../../src/hot-state/hot-state';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import type { Pocket } from '../../../src/server';
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

const grants = new KnexGrantStore();

describeEachBackend('counters after failures', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    // No background rebuild: what happens here is the void's and reconciliation's doing.
    pocket = await deliveryPocket(backends, clock, { refreshMs: 3_600_000 });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await closeDeliveryPocket(pocket, backends);
  });

  const db = () => backends.ledger.db;

  it('a grant voided while its reservation is still live gives its stock back at once, with no drift reported', async () => {
    await grantsFor(pocket, users('kept', 4), TINY); // slots 1-4 of a stock of 5
    // The last grant commits, but the confirm that travels with the lock's release is lost: its reservation
    // stays live (until reconciliation would settle it as confirmed).
    const end = pocket.hotState.end.bind(pocket.hotState);
    jest
      .spyOn(pocket.hotState, 'end')
      .mockImplementationOnce((input: EndInput) => end({ ...input, confirmReservationId: null }));
    const [lost] = await grantsFor(pocket, ['u-lost-confirm'], TINY);
    if (!lost) throw new Error('no grant');
    const row = await grants.get(db(), lost);
    expect(row?.fences.stockSlot).toBe(5);
    expect((await pocket.hotState.reservations(TINY)).map((r) => r.id)).toEqual([row?.reservationId]);

    const result = await pocket.delivery.voids.void(lost, { reason: 'account closed', actor: 'ops' });
    expect(result).toMatchObject({ hotState: 'rebuilt', user: 'primed' });

    // The void settled the reservation (its grant committed) and gave slot 5, its budget range and the
    // user's count back, instead of a rebuild that counted the voided grant again through its reservation.
    expect(await pocket.hotState.reservations(TINY)).toEqual([]);
    expect(await pocket.hotState.readCounters(TINY)).toEqual(
      normalizeCounters(await grants.campaignCounters(db(), TINY)),
    );
    expect(await pocket.hotState.readUser(TINY, 'u-lost-confirm')).toMatchObject({ total: 0 });
    const [next] = await grantsFor(pocket, ['u-next'], TINY);
    expect((await grants.get(db(), next ?? ''))?.fences.stockSlot).toBe(5);

    // Reconciliation, also after the reservation's TTL, finds nothing to settle and no drift to alert about.
    const realtime = pocket.delivery.realtime;
    if (!realtime) throw new Error('no real-time reconciler');
    expect((await realtime.run()).found).toEqual({});
    clock.advance(61_000);
    expect((await realtime.run()).found).toEqual({});
    expect(await pocket.delivery.discrepancies.list(db(), { kinds: ['counter_drift'] })).toEqual([]);
  });

  it('a reservation whose write had an unknown outcome never makes a stored limit_reached: 409 until it settles', async () => {
    // Three reservations of this user (the limit is 3 in total) whose ledger writes' outcomes were unknown: the
    // hot gate counts them, the ledger holds no grant of the user.
    for (let i = 0; i < 3; i++) {
      const reserved = await pocket.hotState.reserve({
        campaignId: TINY,
        reservationId: `r-unknown-${i}`,
        userId: 'u-unsettled',
        rewardId: 'rp',
        charge: 100,
        spends: true,
        businessDate: '2026-11-11',
        limits: { stock: 5, budgetTotal: 1000, budgetDaily: 1000, perUserTotal: 3, perUserDaily: 3 },
        ttlMs: 60_000,
        now: clock().getTime(),
      });
      expect(reserved.ok).toBe(true);
    }
    const participate = () =>
      request(pocket.app)
        .post(`/v1/campaigns/${TINY}/participations`)
        .set('Idempotency-Key', 'k-unsettled')
        .send({ userId: 'u-unsettled', context: { channel: 'app' } });
    // Only the ledger's count may say limit_reached (it is stored and replayed for the key): transient 409.
    const busy = await participate();
    expect([busy.status, busy.body]).toEqual([
      409,
      { error: expect.objectContaining({ code: 'user_busy' }) as unknown },
    ]);
    // Reconciliation releases the reservations once their TTL is over (no grant has them); the same key then
    // gets its real answer, a grant.
    clock.advance(61_000);
    const realtime = pocket.delivery.realtime;
    if (!realtime) throw new Error('no real-time reconciler');
    await realtime.run();
    const granted = await participate();
    expect([granted.status, (granted.body as { outcome?: string }).outcome]).toEqual([201, 'granted']);
  });

  it('a user at the limit in the ledger still gets limit_reached, stored and replayed', async () => {
    const participate = (key: string) =>
      request(pocket.app)
        .post(`/v1/campaigns/${TINY}/participations`)
        .set('Idempotency-Key', key)
        .send({ userId: 'u-full', context: { channel: 'app' } });
    for (const key of ['k-1', 'k-2', 'k-3']) expect((await participate(key)).status).toBe(201);
    const refused = await participate('k-4');
    expect([refused.status, (refused.body as { outcome?: string }).outcome]).toEqual([200, 'limit_reached']);
    const replayed = await participate('k-4');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.text).toBe(refused.text);
  });
});
