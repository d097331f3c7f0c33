/**
 * Two relays at once (each its own claims, deliveries in flight concurrently, on separate connections) never
 * send the same grant twice: PostgreSQL chooses with FOR UPDATE SKIP LOCKED, SQLite claims in one statement.
 */
import { OutboxRelay } from '../../../src/delivery/outbox-relay';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import { closeDeliveryPocket, deliveryPocket, fakeClock, grantsFor, AT, users } from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.parallel.test';

describeEachBackend('parallel relays', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;

  beforeAll(async () => {
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, () => AT, { config: { issuerUrls: { red_packet: WALLET } } });
  });
  afterAll(() => closeDeliveryPocket(pocket, backends));

  it('deliver 200 grants between them, each sent once', async () => {
    const ids = await grantsFor(pocket, users('parallel', 200));
    expect(ids).toHaveLength(200);
    const clock = fakeClock(AT);
    const issuer = new FakeIssuer(WALLET, clock);
    issuer.delayMs = 5;
    const relay = (relayId: string) =>
      new OutboxRelay({
        db: backends.ledger.db,
        outbox: new KnexOutboxStore(),
        delivery: pocket.delivery.delivery,
        clock,
        logger: silentLogger(),
        relayId,
        settings: { batchSize: 10, concurrency: 5 },
      });
    const [a, b] = await Promise.all([relay('relay-a').drain(), relay('relay-b').drain()]);
    expect(a.delivered + b.delivered).toBe(200);
    expect(a.delivered).toBeGreaterThan(0);
    expect(b.delivered).toBeGreaterThan(0);
    expect(a.errors + b.errors + a.lost + b.lost).toBe(0);
    const keys = issuer.requests.map((r) => r.key);
    expect(keys).toHaveLength(200);
    expect(new Set(keys).size).toBe(200);
    expect(issuer.ids()).toEqual(ids);
  });
});
