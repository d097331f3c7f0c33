/**
 * A worker stopped (SIGTERM) in the middle of a batch finishes the sends already at the issuer and gives the
 * rest of the batch back: those entries are due again at once, for any relay, with the attempt they never made
 * uncounted. It used to send the whole batch first, ceil(batch / concurrency) issuer calls one after another
 * (50 rows 8 at a time against a slow issuer: 7 × 25 s), past any process manager's patience; killed, the
 * unsent rows stayed claimed for the batch's whole claim (210 s) with an attempt burned.
 */
import { OutboxRelay } from '../../../src/delivery/outbox-relay';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantStatuses,
  grantsFor,
  AT,
  users,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.shutdown.test';
const outbox = new KnexOutboxStore();

describeEachBackend('a relay stopped in the middle of a batch', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let issuer: FakeIssuer;
  const clock = fakeClock(AT);

  beforeEach(async () => {
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, { config: { issuerUrls: { red_packet: WALLET } } });
    issuer = new FakeIssuer(WALLET, clock);
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const relay = (relayId: string) =>
    new OutboxRelay({
      db: backends.ledger.db,
      outbox,
      delivery: pocket.delivery.delivery,
      clock,
      logger: silentLogger(),
      relayId,
      settings: { batchSize: 3, concurrency: 1 },
    });

  it('finishes the send at the issuer and gives the unsent entries back, due now, attempt uncounted', async () => {
    const ids = await grantsFor(pocket, users('shutdown', 3));
    expect(ids).toHaveLength(3);
    issuer.delayMs = 300;
    const a = relay('relay-a');
    a.start(10);
    for (const deadline = Date.now() + 10_000; issuer.requests.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await a.stop();

    const [sent] = issuer.requests.map((r) => r.key ?? '');
    expect(issuer.requests).toHaveLength(1);
    const rest = ids.filter((id) => id !== sent);
    expect(await grantStatuses(backends.ledger.db, ids)).toEqual(
      Object.fromEntries(ids.map((id) => [id, id === sent ? 'delivered' : 'pending'])),
    );
    for (const id of rest) {
      expect(await outbox.findByGrant(backends.ledger.db, id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        lockedBy: null,
        lockedUntil: null,
      });
    }
    expect(await a.stats()).toMatchObject({ pending: 2, due: 2, inFlight: 0 });

    // Another relay takes them at once (not after the batch's claim) and each grant is sent once.
    issuer.delayMs = 0;
    expect(await relay('relay-b').runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(ids.map((id) => issuer.attempts(id))).toEqual([1, 1, 1]);
  });

  it('gives the unsent entries back at once, while a send at a slow issuer is still out', async () => {
    // They were given back only once that send ended: a worker whose SHUTDOWN_GRACE_MS ran out first exited
    // with them claimed for the batch's whole claim (210 s), refused by `grants void` as "being delivered".
    const ids = await grantsFor(pocket, users('slow-stop', 3));
    issuer.delayMs = 1800; // under the issuer timeout (2 s), so the send ends delivered
    const a = relay('relay-slow');
    a.start(10);
    for (const deadline = Date.now() + 10_000; issuer.requests.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = a.stop();
    const [sent] = issuer.requests.map((r) => r.key ?? '');
    const rest = ids.filter((id) => id !== sent);
    const released = async (): Promise<boolean> => {
      const rows = await Promise.all(rest.map((id) => outbox.findByGrant(backends.ledger.db, id)));
      return rows.every((row) => row?.lockedBy === null && row.attempts === 0);
    };
    for (const deadline = Date.now() + 1600; !(await released()) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    // Given back while the first send is still at the issuer: its grant is not delivered yet.
    expect(await released()).toBe(true);
    expect((await grantStatuses(backends.ledger.db, [sent ?? '']))[sent ?? '']).toBe('pending');
    await stopped;
    expect((await grantStatuses(backends.ledger.db, [sent ?? '']))[sent ?? '']).toBe('delivered');
    issuer.delayMs = 0;
    expect(await relay('relay-next').runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(ids.map((id) => issuer.attempts(id))).toEqual([1, 1, 1]);
  });
});
