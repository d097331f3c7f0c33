/**
 * A relay never sends an entry after its claim may have lapsed. A batch's claim covers its rounds of sends
 * (ceil(batch / concurrency) × (issuer timeout + slack)), and each entry's claim is renewed right before its
 * send. Time spent outside the sends (here a slow alert webhook after a refusal) can still outlast the claim:
 * the entries left in the batch are then not sent by this relay, whether another relay took them meanwhile or
 * nobody did yet; the next claim delivers them, each once.
 */
import nock from 'nock';
import { OutboxRelay, type RelayBatch } from '../../../src/delivery/outbox-relay';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { toDate } from '../../../src/ledger/row-values';
import { silentLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  AT,
  DEFINITIONS,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';

const WALLET = 'http://wallet.lapse.test';
const HOOK = 'http://hooks.lapse.test';
const SLOW = 'http://slow-wallet.lapse.test';
const outbox = new KnexOutboxStore();

describeEachBackend('claims that lapse during a batch', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;
  /** Runs once, while the first refusal's alert is being sent (in the middle of relay A's batch). */
  let duringAlert: () => Promise<void>;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET }, issuerTimeoutMs: 2_000, notifyUrl: `${HOOK}/pocket` },
    });
    issuer = new FakeIssuer(WALLET, clock);
    let fired = false;
    duringAlert = () => Promise.resolve();
    nock(HOOK)
      .persist()
      .post('/pocket')
      .reply((_uri, _body, callback) => {
        const hook = fired ? Promise.resolve() : duringAlert();
        fired = true;
        hook.then(
          () => callback(null, [204]),
          (err: Error) => callback(err, [500]),
        );
      });
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
      // One send at a time, three entries: the claim lasts 3 × (2 s + 5 s) = 21 s.
      settings: { batchSize: 3, concurrency: 1, leaseMs: 1_000 },
    });

  /** Three grants; the first one sent is refused. */
  async function threeGrants(): Promise<{ first: () => string; rest: () => string[] }> {
    const ids = await grantsFor(pocket, users('lapse', 3));
    expect(ids).toHaveLength(3);
    issuer.mode = 'reject';
    const first = () => issuer.requests[0]?.key ?? '';
    return { first, rest: () => ids.filter((id) => id !== first()) };
  }

  /** Takes the clock just past the claim the batch holds on the entries still waiting (the issuer is up again). */
  async function lapse(waiting: string): Promise<void> {
    const lockedUntil = (await outbox.findByGrant(backends.ledger.db, waiting))?.lockedUntil;
    if (!lockedUntil) throw new Error('the batch holds no claim');
    issuer.mode = 'up';
    clock.set(new Date(lockedUntil.getTime() + 1));
  }

  it('leaves the rest of the batch to the relay that claimed it after the lapse: each grant sent once', async () => {
    const { first, rest } = await threeGrants();
    let other: RelayBatch | undefined;
    duringAlert = async () => {
      await lapse(rest()[0] ?? '');
      other = await relay('relay-b').runOnce();
    };

    const a = await relay('relay-a').runOnce();
    expect([first(), ...rest()].map((id) => issuer.attempts(id))).toEqual([1, 1, 1]);
    expect(issuer.requests).toHaveLength(3);
    expect(a).toMatchObject({ claimed: 3, rejected: 1, delivered: 0, lost: 2, errors: 0 });
    expect(other).toMatchObject({ claimed: 2, delivered: 2, lost: 0 });
    expect(issuer.ids()).toEqual(rest().sort());
  });

  it('does not send an entry whose claim ran out even when nobody took it; the next claim does', async () => {
    const { first, rest } = await threeGrants();
    duringAlert = () => lapse(rest()[0] ?? '');
    const a = relay('relay-a');

    expect(await a.runOnce()).toMatchObject({ claimed: 3, rejected: 1, lost: 2 });
    expect(issuer.requests.map((r) => r.key)).toEqual([first()]);

    expect(await a.runOnce()).toMatchObject({ claimed: 2, delivered: 2, lost: 0 });
    for (const id of rest()) {
      expect(issuer.attempts(id)).toBe(1);
      expect(await outbox.findByGrant(backends.ledger.db, id)).toMatchObject({ status: 'done', attempts: 2 });
    }
  });

  it('claims a batch for all its rounds and renews each entry for one send before sending it', async () => {
    const slow = await createTestPocket(backends, {
      clock,
      random: () => 0,
      config: { definitionsRoot: DEFINITIONS, issuerUrls: { red_packet: SLOW }, issuerTimeoutMs: 25_000 },
    });
    try {
      const ids = await grantsFor(slow, users('rounds', 9));
      expect(ids).toHaveLength(9);
      // The ledger's claims while the first request is at the issuer (the default relay: 50, 8 at a time).
      let firstKey: string | undefined;
      let seen: Array<[string, number]> = [];
      nock(SLOW)
        .persist()
        .post('/grants')
        .reply(function (_uri, _body, callback) {
          if (firstKey !== undefined) return callback(null, [201, {}]);
          firstKey = this.req.headers['idempotency-key'] as string;
          void backends.ledger
            .db('outbox')
            .select('grant_id', 'locked_until')
            .then((rows: Array<{ grant_id: string; locked_until: unknown }>) => {
              seen = rows.map((r) => [r.grant_id, toDate(r.locked_until).getTime() - AT.getTime()]);
              callback(null, [201, {}]);
            });
        });
      expect(await slow.delivery.relay.runOnce()).toMatchObject({ claimed: 9, delivered: 9 });
      expect(seen).toHaveLength(9);
      // Renewed for one send: 25 s + 5 s. Still waiting for a worker: the batch's claim, 7 rounds × 30 s.
      expect(seen.filter(([, ms]) => ms !== 30_000 && ms !== 210_000)).toEqual([]);
      expect(seen.find(([id]) => id === firstKey)?.[1]).toBe(30_000);
      expect(seen.some(([, ms]) => ms === 210_000)).toBe(true);
    } finally {
      await slow.close();
    }
  });
});
