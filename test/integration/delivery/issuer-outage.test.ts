/**
 * Invariant 4 through the real pipeline: grants made over HTTP reach the issuer exactly once in effect across
 * an outage of many attempts, and a crash between the issuer's answer and the ledger update is healed by a
 * redelivery with the same Idempotency-Key.
 */
import { issueRequest } from '../../../src/delivery/issue-request';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { createLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  grantStatuses,
  AT,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.outage.test';

describeEachBackend('delivery through an issuer outage', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;

  let warns: Array<{ msg: string; issuer?: string; err?: unknown; leftOut?: number }>;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    warns = [];
    const logger = createLogger('warn', {
      write: (line: string) => void warns.push(JSON.parse(line) as never),
    });
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET } },
      logger,
    });
    issuer = new FakeIssuer(WALLET, clock);
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  it('keeps every grant through 6 failed attempts each, then delivers each exactly once', async () => {
    const ids = await grantsFor(pocket, users('outage', 30));
    expect(ids).toHaveLength(30);
    const { relay } = pocket.delivery;
    issuer.mode = 'down';
    for (let round = 1; round <= 6; round++) {
      const batch = await relay.drain();
      expect(batch).toMatchObject({ claimed: 30, retry: 30, delivered: 0, dead: 0 });
      expect(await relay.drain()).toMatchObject({ claimed: 0 }); // all waiting out their backoff
      clock.advance(10 * 60_000); // past any backoff (cap 10 min)
    }
    expect((await relay.stats()).pending).toBe(30);
    expect(Object.values(await grantStatuses(backends.ledger.db, ids))).toEqual(Array(30).fill('pending'));
    // 180 failed sends: said once (per issuer and reason, then at most once a minute), not silent until the first
    // dead letter ten minutes in, nor once a send.
    expect(warns.filter((w) => w.msg.startsWith('delivery failed at the issuer'))).toEqual([
      expect.objectContaining({
        msg: 'delivery failed at the issuer; retried after a backoff',
        issuer: WALLET,
        err: expect.stringMatching(/503/),
      }),
    ]);

    issuer.mode = 'up';
    expect(await relay.drain()).toMatchObject({ claimed: 30, delivered: 30, retry: 0 });
    expect(issuer.ids()).toEqual(ids);
    for (const id of ids) expect(issuer.attempts(id)).toBe(7);
    expect(issuer.requests.filter((r) => r.answered === 201)).toHaveLength(30);
    expect(Object.values(await grantStatuses(backends.ledger.db, ids))).toEqual(Array(30).fill('delivered'));
    expect(await relay.stats()).toMatchObject({ pending: 0, due: 0, dead: 0, lagMs: 0 });
    // Nothing is sent again once delivered.
    clock.advance(3_600_000);
    expect(await relay.drain()).toMatchObject({ claimed: 0 });
  });

  it('redelivers with the same key after a crash between the issuer accepting and the ledger update', async () => {
    const [id] = await grantsFor(pocket, ['u-crash']);
    if (!id) throw new Error('expected a red packet');
    const grants = backends.ledger.db;
    // The relay "dies" right after the issuer accepted: the ledger update never happens.
    const { delivery, issuers } = pocket.delivery;
    const original = delivery.deliver.bind(delivery);
    const spy = jest.spyOn(delivery, 'deliver').mockImplementationOnce(async (entry) => {
      const grant = await new KnexGrantStore().get(grants, entry.grantId);
      if (!grant) throw new Error('no grant');
      await issuers.forGrant(grant).issue(issueRequest(grant));
      throw new Error('killed');
    });
    expect(await pocket.delivery.relay.runOnce()).toMatchObject({ claimed: 1, errors: 1 });
    expect(issuer.ids()).toEqual([id]);
    expect((await grantStatuses(grants, [id]))[id]).toBe('pending');
    // Still claimed by the dead relay until its claim runs out…
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 0 });
    clock.advance(61_000);
    spy.mockImplementation(original);
    // …then delivered again, with the same key; the issuer answers 409 and still holds one grant.
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.requests.map((r) => [r.key, r.answered])).toEqual([
      [id, 201],
      [id, 409],
    ]);
    expect(issuer.ids()).toEqual([id]);
    expect((await grantStatuses(grants, [id]))[id]).toBe('delivered');
  });
});
