/**
 * An issuer that does not verify pocket's signature (a WEBHOOK_SECRET rotation half done, an issuer set up with
 * another secret) answers 401: a verdict on pocket's credentials, not on the grant. The grant is retried with the
 * normal backoff, never failed; on-call gets an `issuer.signature_refused` alert at once (one per issuer and hour,
 * whatever the number of grants), and once the secrets agree the pending grants go through with no redeliver.
 * The issuer here is another pocket's sandbox issuer over HTTP, which verifies signatures with its own secret.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import type { Pocket } from '../../../src/server';
import {
  AT,
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantStatuses,
  grantsFor,
  type FakeClock,
} from '../../helpers/delivery';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import { receiveWebhooks, type ReceivedWebhook } from '../../helpers/webhook-receiver';

const HOOK = 'http://hooks.signature-refused.test';
const REASON =
  "HTTP 401: the issuer refused pocket's signature; check WEBHOOK_SECRET (and WEBHOOK_SECRET_PREVIOUS) on both sides";

describeEachBackend('an issuer that refuses the signature', (backend) => {
  let backends: TestBackends;
  let clock: FakeClock;
  /** The issuer: a pocket whose sandbox verifies with its own WEBHOOK_SECRET. */
  let issuer: Pocket;
  let server: Server;
  let issuerUrl: string;
  /** The pocket whose relay sends, with a WEBHOOK_SECRET of its own (testConfig generates one per pocket). */
  let sender: Pocket | undefined;
  let hooks: ReceivedWebhook[];

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    issuer = await deliveryPocket(backends, clock);
    server = await new Promise<Server>((resolve) => {
      const s = issuer.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/issuer`;
    sender = await senderPocket();
    hooks = receiveWebhooks(HOOK, '/pocket');
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await sender?.close();
    await closeDeliveryPocket(issuer, backends);
  });

  /** A sender pocket on the same ledger, red packets to the issuer; `secrets` as the sender's config sets them. */
  const senderPocket = (secrets: Partial<Pick<Pocket['config'], 'secrets' | 'previousSecrets'>> = {}) =>
    deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: issuerUrl }, notifyUrl: `${HOOK}/pocket`, ...secrets },
    });
  const alerts = (): NotificationMessage[] => hooks.map((h) => JSON.parse(h.body) as NotificationMessage);
  const relay = () => {
    if (!sender) throw new Error('no sender');
    return sender.delivery.relay;
  };
  const issued = async (): Promise<string[]> =>
    ((await backends.ledger.db('sandbox_issued').select('grant_id')) as Array<{ grant_id: string }>)
      .map((r) => r.grant_id)
      .sort();

  it('keeps the grants pending and retried, alerts once, and delivers them once the secrets agree', async () => {
    const ids = await grantsFor(issuer, ['u-refused-1', 'u-refused-2']);
    expect(ids).toHaveLength(2);
    const outbox = new KnexOutboxStore();
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await relay().drain()).toMatchObject({ claimed: 2, retry: 2, rejected: 0, dead: 0 });
      for (const id of ids) {
        const entry = await outbox.findByGrant(backends.ledger.db, id);
        expect(entry).toMatchObject({ status: 'pending', attempts: attempt });
        // What to check, then the issuer's own answer (the sandbox's 401 body).
        expect(entry?.lastError).toContain(`${REASON} (it answered {"error":{"code":"unauthenticated"`);
      }
      clock.advance(10 * 60_000);
    }
    expect(Object.values(await grantStatuses(backends.ledger.db, ids))).toEqual(['pending', 'pending']);
    expect(await issuer.delivery.discrepancies.list(backends.ledger.db, {})).toEqual([]);
    expect(await issued()).toEqual([]);
    // One alert for six refusals of two grants within the hour, about the issuer rather than a campaign.
    expect(alerts()).toEqual([
      expect.objectContaining({
        event: 'issuer.signature_refused',
        campaignId: null,
        occurrence: `signature_refused:${issuerUrl}@2026-11-11T02`,
        details: expect.objectContaining({ issuer: issuerUrl, status: 401, attempts: 1 }),
      }),
    ]);
    expect(ids).toContain(alerts()[0]?.details['grantId']);

    // The rotation is finished on pocket's side: the issuer's secret current, pocket's old one previous.
    const old = sender?.config;
    if (!old) throw new Error('no sender');
    await sender?.close();
    sender = await senderPocket({
      secrets: { ...old.secrets, webhook: issuer.config.secrets.webhook },
      previousSecrets: { ...old.previousSecrets, webhook: old.secrets.webhook },
    });
    expect(await relay().drain()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(Object.values(await grantStatuses(backends.ledger.db, ids))).toEqual(['delivered', 'delivered']);
    expect(await issued()).toEqual(ids);
    expect(alerts()).toHaveLength(1);
  });

  it('reminds on-call every hour while it lasts; after the last attempt the grant is dead-lettered', async () => {
    const [id] = await grantsFor(issuer, ['u-refused-long']);
    if (!id) throw new Error('expected a red packet');
    const outcomes: string[] = [];
    for (let turn = 1; turn <= 14; turn++) {
      const batch = await relay().drain();
      outcomes.push(...(['retry', 'dead', 'rejected'] as const).filter((k) => batch[k] > 0));
      clock.advance(10 * 60_000);
    }
    // The normal backoff's 12 attempts, then the dead letter and its own alert (pocket grants redeliver).
    expect(outcomes).toEqual([...Array(11).fill('retry'), 'dead']);
    expect((await grantStatuses(backends.ledger.db, [id]))[id]).toBe('dead');
    const [dead] = await issuer.delivery.discrepancies.list(backends.ledger.db, { grantId: id });
    expect(dead).toMatchObject({
      kind: 'delivery_dead',
      details: { lastError: expect.stringMatching(/^HTTP 401: /) },
    });
    // Attempts 1-6 fell in 02:xx UTC, 7-12 in 03:xx.
    expect(alerts().map((m) => [m.event, m.occurrence])).toEqual([
      ['issuer.signature_refused', `signature_refused:${issuerUrl}@2026-11-11T02`],
      ['issuer.signature_refused', `signature_refused:${issuerUrl}@2026-11-11T03`],
      ['grant.dead_lettered', expect.any(String)],
    ]);
  });
});
