/**
 * Downstream systems that misbehave, through the real relay and ledger (the issuer and the notifier behind
 * nock): an issuer that redirects the POST (fetch would follow it to the issued-records listing, whose 200
 * passed for a delivery), a grant voided while its request is at the issuer and refused there (no failure,
 * discrepancy or alert for a grant nobody pays), and a notifier that is down while grants are refused (the
 * delivery goes on; the alert is retried later).
 */
import nock from 'nock';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  AT,
  DEFINITIONS,
  fakeClock,
  grantsFor,
  grantStatuses,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';

const WALLET = 'http://wallet.misbehaviour.test';
const MOVED = 'http://moved-wallet.misbehaviour.test';
const HOOK = 'http://hooks.misbehaviour.test';
const outbox = new KnexOutboxStore();

describeEachBackend('downstream misbehaviour', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  /** Notification bodies the hook accepted, in order. */
  let alerts: Array<Record<string, unknown>>;
  let hookDown: boolean;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET }, notifyUrl: `${HOOK}/pocket` },
    });
    alerts = [];
    hookDown = false;
    nock(HOOK)
      .persist()
      .post('/pocket')
      .reply((_uri, body) => {
        if (hookDown) return [503, 'down'];
        alerts.push(body as Record<string, unknown>);
        return [204];
      });
  });
  afterEach(async () => {
    nock.abortPendingRequests();
    await closeDeliveryPocket(pocket, backends);
  });

  const db = () => backends.ledger.db;
  const discrepancies = (grantId: string) => pocket.delivery.discrepancies.list(db(), { grantId });

  it('does not count a redirected POST as delivered: retried until the issuer takes it, then delivered once', async () => {
    const moved = await createTestPocket(backends, {
      clock,
      random: () => 0,
      config: { definitionsRoot: DEFINITIONS, issuerUrls: { red_packet: MOVED } },
    });
    try {
      const [id] = await grantsFor(moved, ['u-moved']);
      if (!id) throw new Error('expected a red packet');
      // The issuer moved: a 303 to its listing, which answers 200 to the GET a followed redirect would make.
      const listing = nock(MOVED).get('/grants').query(true).reply(200, { records: [], nextCursor: null });
      nock(MOVED)
        .post('/grants')
        .reply(303, '', { Location: `${MOVED}/grants` });
      expect(await moved.delivery.relay.drain()).toMatchObject({ claimed: 1, retry: 1, delivered: 0 });
      expect(listing.isDone()).toBe(false);
      expect((await grantStatuses(db(), [id]))[id]).toBe('pending');
      expect(await outbox.findByGrant(db(), id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: `HTTP 303: redirect to ${MOVED}/grants not followed`,
      });
      expect(await moved.delivery.relay.stats()).toMatchObject({ pending: 1, inFlight: 0, dead: 0 });

      // Back where it was: the same key, issued once.
      const issued: Array<string | undefined> = [];
      nock(MOVED)
        .post('/grants')
        .reply(function () {
          issued.push(this.req.headers['idempotency-key'] as string | undefined);
          return [201, {}];
        });
      clock.advance(10 * 60_000);
      expect(await moved.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(issued).toEqual([id]);
      expect((await grantStatuses(db(), [id]))[id]).toBe('delivered');
      expect(await moved.delivery.relay.stats()).toMatchObject({ pending: 0, inFlight: 0, dead: 0 });
      expect(await discrepancies(id)).toEqual([]);
    } finally {
      await moved.close();
    }
  });

  it('a grant voided while the issuer refuses it is not failed: no discrepancy, no alert', async () => {
    const [id] = await grantsFor(pocket, ['u-voided-in-flight']);
    if (!id) throw new Error('expected a red packet');
    // The issuer refuses the grant, and a person voids it while the request is there (--force: a void waits
    // for a delivery in flight otherwise).
    nock(WALLET)
      .post('/grants')
      .reply((_uri, _body, callback) => {
        pocket.delivery.voids.void(id, { reason: 'customer left', actor: 'ops', force: true }).then(
          () => callback(null, [422, 'unknown wallet']),
          (err: Error) => callback(err, [500]),
        );
      });
    expect(await pocket.delivery.relay.drain()).toMatchObject({
      claimed: 1,
      skipped: 1,
      rejected: 0,
      errors: 0,
    });
    expect((await grantStatuses(db(), [id]))[id]).toBe('void');
    // The void's cancellation stands: the entry is done, not dead, and nothing is open about the grant.
    expect(await outbox.findByGrant(db(), id)).toMatchObject({
      status: 'done',
      lastError: 'voided: customer left',
    });
    expect((await discrepancies(id)).filter((d) => d.status === 'open')).toEqual([]);
    expect(alerts).toEqual([]);
    expect(await pocket.delivery.relay.stats()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('goes on delivering while the notifier is down; the refusal alert goes out once it is back', async () => {
    const ids = await grantsFor(pocket, users('hook-down', 6));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const [refused] = ids;
    if (!refused) throw new Error('expected red packets');
    hookDown = true;
    nock(WALLET)
      .persist()
      .post('/grants')
      .reply(function () {
        return this.req.headers['idempotency-key'] === refused ? [422, 'unknown wallet'] : [201, {}];
      });
    expect(await pocket.delivery.relay.drain()).toMatchObject({
      claimed: ids.length,
      delivered: ids.length - 1,
      rejected: 1,
      lost: 0,
      errors: 0,
    });
    const statuses = await grantStatuses(db(), ids);
    expect(statuses[refused]).toBe('failed');
    expect(ids.filter((id) => statuses[id] === 'delivered')).toHaveLength(ids.length - 1);
    expect((await discrepancies(refused)).map((d) => [d.kind, d.status])).toEqual([
      ['delivery_rejected', 'open'],
    ]);
    expect(alerts).toEqual([]);
    expect(await pocket.delivery.relay.stats()).toMatchObject({ pending: 0, inFlight: 0, dead: 1 });

    hookDown = false;
    clock.advance(10 * 60_000);
    expect(await pocket.delivery.alerts.retryPending()).toBe(1);
    expect(alerts).toEqual([
      expect.objectContaining({
        event: 'reconcile.discrepancy',
        details: expect.objectContaining({ kind: 'delivery_rejected', grantId: refused }),
      }),
    ]);
  });
});
