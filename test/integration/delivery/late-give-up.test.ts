/**
 * A relay records a refusal or a dead letter only while the entry's claim is still its own. A relay that stalls
 * between the issuer's answer and that write for longer than its send claim (a slow ledger, a long GC pause) may
 * find the entry claimed and sent by another relay meanwhile: its late write then changes nothing (`lost`), and
 * the other relay's answer stands. Before, the late write failed or dead-lettered the grant under the other
 * relay's claim; that relay's delivery then marked it delivered again but left its outbox row dead, with an open
 * delivery_rejected / delivery_dead discrepancy and an alert for a grant the user had.
 */
import nock from 'nock';
import { OutboxRelay, type RelayBatch } from '../../../src/delivery/outbox-relay';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  grantStatuses,
  AT,
  type FakeClock,
} from '../../helpers/delivery';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import { receiveWebhooks, type ReceivedWebhook } from '../../helpers/webhook-receiver';

const WALLET = 'http://wallet.late-give-up.test';
const HOOK = 'http://hooks.late-give-up.test';
const outbox = new KnexOutboxStore();

describeEachBackend('a refusal or dead letter recorded after the claim lapsed', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let hooks: ReceivedWebhook[];

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET }, issuerTimeoutMs: 10_000, notifyUrl: `${HOOK}/pocket` },
    });
    hooks = receiveWebhooks(HOOK, '/pocket');
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const db = () => backends.ledger.db;
  const relay = (relayId: string) =>
    new OutboxRelay({
      db: db(),
      outbox,
      delivery: pocket.delivery.delivery,
      clock,
      logger: silentLogger(),
      relayId,
      settings: { batchSize: 1, concurrency: 1, leaseMs: 1_000 },
    });

  /**
   * Relay A sends the grant; its answer (`first`) reaches it only after its send claim ran out and relay B
   * claimed the entry and sent it too, so A records it while B's request is at the issuer. B's answer
   * (`second`) comes once A is done.
   */
  async function lateAnswer(id: string, first: number, second: number): Promise<[RelayBatch, RelayBatch]> {
    let bAtIssuer!: () => void;
    const bSent = new Promise<void>((resolve) => (bAtIssuer = resolve));
    let answerB!: () => void;
    const aDone = new Promise<void>((resolve) => (answerB = resolve));
    let b: Promise<RelayBatch> | undefined;
    nock(WALLET)
      .post('/grants')
      .reply((_uri, _body, callback) => {
        void (async () => {
          const claim = await outbox.findByGrant(db(), id);
          if (!claim?.lockedUntil) throw new Error('relay A holds no claim');
          clock.set(new Date(claim.lockedUntil.getTime() + 1));
          b = relay('relay-b').runOnce();
          await bSent;
        })().then(
          () => callback(null, [first, {}]),
          (err: Error) => callback(err, [500]),
        );
      })
      .post('/grants')
      .reply((_uri, _body, callback) => {
        bAtIssuer();
        void aDone.then(() => callback(null, [second, {}]));
      });
    const a = await relay('relay-a').runOnce();
    answerB();
    if (!b) throw new Error('relay B never ran');
    return [a, await b];
  }

  async function expectDeliveredOnce(id: string): Promise<void> {
    expect((await grantStatuses(db(), [id]))[id]).toBe('delivered');
    expect(await outbox.findByGrant(db(), id)).toMatchObject({ status: 'done', lockedBy: null });
    expect(await pocket.delivery.discrepancies.list(db(), { grantId: id })).toEqual([]);
    expect(await pocket.delivery.relay.stats()).toMatchObject({ pending: 0, dead: 0 });
    expect(hooks).toEqual([]);
  }

  it("a refusal (4xx) answered to a relay whose claim ran out does not fail the other relay's delivery", async () => {
    const [id] = await grantsFor(pocket, ['u-late-refusal']);
    if (!id) throw new Error('expected a red packet');

    const [a, b] = await lateAnswer(id, 422, 201);
    expect(a).toMatchObject({ claimed: 1, rejected: 0, lost: 1 });
    expect(b).toMatchObject({ claimed: 1, delivered: 1 });
    await expectDeliveredOnce(id);
  });

  it("a last retry answered to a relay whose claim ran out does not dead-letter the other relay's delivery", async () => {
    const [id] = await grantsFor(pocket, ['u-late-dead']);
    if (!id) throw new Error('expected a red packet');
    // Relay A's claim is the last attempt: its 503 would dead-letter the grant.
    await db()('outbox').where({ grant_id: id }).update({ attempts: 11 });

    const [a, b] = await lateAnswer(id, 503, 409);
    expect(a).toMatchObject({ claimed: 1, dead: 0, lost: 1 });
    expect(b).toMatchObject({ claimed: 1, delivered: 1 });
    await expectDeliveredOnce(id);
  });

  it('a refusal whose claim ran out with nobody taking it is still recorded', async () => {
    const [id] = await grantsFor(pocket, ['u-late-alone']);
    if (!id) throw new Error('expected a red packet');
    nock(WALLET)
      .post('/grants')
      .reply((_uri, _body, callback) => {
        void outbox.findByGrant(db(), id).then((claim) => {
          clock.set(new Date((claim?.lockedUntil ?? AT).getTime() + 60_000));
          callback(null, [422, {}]);
        });
      });

    expect(await relay('relay-a').runOnce()).toMatchObject({ claimed: 1, rejected: 1, lost: 0 });
    expect((await grantStatuses(db(), [id]))[id]).toBe('failed');
    expect(await outbox.findByGrant(db(), id)).toMatchObject({ status: 'dead' });
    const found = await pocket.delivery.discrepancies.list(db(), { grantId: id });
    expect(found.map((d) => [d.kind, d.status])).toEqual([['delivery_rejected', 'open']]);
  });
});
