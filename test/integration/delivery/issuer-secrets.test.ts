/**
 * Per-destination issuer secrets (README, Configuration and Decisions, "Issuer requests are signed with their own
 * secret"): the red-packet issuer has ISSUER_RED_PACKET_SECRET, the coupon issuer none, so its requests are signed
 * with WEBHOOK_SECRET as before. A grant, a rotation's second signature, reconciliation's listings, a 401's hint
 * and alert, and the sandbox issuer's own verification each use the issuer's secret.
 */
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import type { IssuerSecrets } from '../../../src/delivery/issuer-secrets';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import {
  requestTarget,
  signatureHeaders,
  verifySignature,
  verifyTargetSignature,
} from '../../../src/integrations/notification-signature';
import type { Pocket } from '../../../src/server';
import {
  AT,
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  type FakeClock,
} from '../../helpers/delivery';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import { receiveWebhooks } from '../../helpers/webhook-receiver';

const WALLET = 'http://wallet.issuer-secrets.test';
const COUPONS = 'http://coupons.issuer-secrets.test';
const HOOK = 'http://hooks.issuer-secrets.test';
const RED = 'red-packet-issuer-secret-0123456789abcdef';
const RED_OLD = 'red-packet-issuer-secret-old-0123456789ab';

interface Seen {
  path: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Every request `method` to `origin` + /grants, answered `status` (a listing: an empty page). */
function issuerAt(origin: string, method: 'post' | 'get', status = 201): Seen[] {
  const seen: Seen[] = [];
  const scope = nock(origin).persist();
  (method === 'post' ? scope.post('/grants') : scope.get('/grants').query(true)).reply(function (path, body) {
    seen.push({
      path,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      timestamp: this.req.headers['x-pocket-timestamp'] as string | undefined,
      signature: this.req.headers['x-pocket-signature'] as string | undefined,
    });
    return method === 'post' ? [status, {}] : [200, { records: [], nextCursor: null }];
  });
  return seen;
}

describeEachBackend('issuer secrets', (backend) => {
  let backends: TestBackends;
  let clock: FakeClock;
  let pocket: Pocket | undefined;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const start = async (issuerSecrets: IssuerSecrets): Promise<Pocket> => {
    pocket = await deliveryPocket(backends, clock, {
      config: {
        definitionsRoot: join(__dirname, 'definitions'),
        issuerUrls: { red_packet: WALLET, coupon: COUPONS },
        issuerSecrets,
        notifyUrl: `${HOOK}/pocket`,
      },
    });
    return pocket;
  };
  const verifies = (secret: string, seen: Seen | undefined): boolean =>
    verifySignature({ secret, body: seen?.body ?? '', ...signed(seen), now: clock() });
  const signed = (seen: Seen | undefined) => ({ timestamp: seen?.timestamp, signature: seen?.signature });

  it("signs a red packet with the red-packet issuer's secret, a coupon (no secret of its own) with WEBHOOK_SECRET", async () => {
    const p = await start({ red_packet: { current: RED, previous: null } });
    const wallet = issuerAt(WALLET, 'post');
    const coupons = issuerAt(COUPONS, 'post');
    expect(await grantsFor(p, ['u-red'], 'red-drop')).toHaveLength(1);
    expect(await grantsFor(p, ['u-coupon'], 'coupon-drop')).toHaveLength(1);
    expect(await p.delivery.relay.drain()).toMatchObject({ delivered: 2 });
    expect([wallet.length, coupons.length]).toEqual([1, 1]);
    const webhook = p.config.secrets.webhook;
    expect(wallet[0]?.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifies(RED, wallet[0])).toBe(true);
    expect(verifies(webhook, wallet[0])).toBe(false);
    expect(coupons[0]?.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifies(webhook, coupons[0])).toBe(true);
    expect(verifies(RED, coupons[0])).toBe(false);
  });

  it("during the issuer's rotation, sends both its signatures, the current first, and none with WEBHOOK_SECRET", async () => {
    const p = await start({ red_packet: { current: RED, previous: RED_OLD } });
    const wallet = issuerAt(WALLET, 'post');
    expect(await grantsFor(p, ['u-rotation'], 'red-drop')).toHaveLength(1);
    expect(await p.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    const [seen] = wallet;
    expect(seen?.signature).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const [first, second] = (seen?.signature ?? '').split(',');
    const only = (signature: string | undefined) => ({ ...seen, signature }) as Seen;
    expect([verifies(RED, only(first)), verifies(RED_OLD, only(second))]).toEqual([true, true]);
    expect(verifies(p.config.secrets.webhook, seen)).toBe(false);
  });

  it("signs reconciliation's listing of each issuer with that issuer's secret", async () => {
    const p = await start({ red_packet: { current: RED, previous: null } });
    const wallet = issuerAt(WALLET, 'get');
    const coupons = issuerAt(COUPONS, 'get');
    await p.delivery.offline.run({ since: new Date(AT.getTime() - 3_600_000), graceMs: 0 });
    expect([wallet.length, coupons.length]).toEqual([1, 1]);
    const target = (seen: Seen | undefined, secret: string) =>
      verifyTargetSignature({ secret, target: seen?.path ?? '', ...signed(seen), now: clock() });
    expect(wallet[0]?.path).toMatch(/^\/grants\?since=[^&]+&until=[^&]+&limit=\d+$/);
    expect([target(wallet[0], RED), target(wallet[0], p.config.secrets.webhook)]).toEqual([true, false]);
    expect([target(coupons[0], p.config.secrets.webhook), target(coupons[0], RED)]).toEqual([true, false]);
  });

  it("names the issuer's own secret when it refuses pocket's signature (401), in the retry reason and the alert", async () => {
    const p = await start({ red_packet: { current: RED, previous: null } });
    issuerAt(WALLET, 'post', 401);
    const hooks = receiveWebhooks(HOOK, '/pocket');
    const [id] = await grantsFor(p, ['u-refused'], 'red-drop');
    if (!id) throw new Error('expected a red packet');
    expect(await p.delivery.relay.drain()).toMatchObject({ retry: 1 });
    const entry = await new KnexOutboxStore().findByGrant(backends.ledger.db, id);
    expect(entry).toMatchObject({
      status: 'pending',
      lastError:
        "HTTP 401: the issuer refused pocket's signature; check ISSUER_RED_PACKET_SECRET (and " +
        'ISSUER_RED_PACKET_SECRET_PREVIOUS) on both sides (it answered {})',
    });
    const alerts = hooks.map((h) => JSON.parse(h.body) as NotificationMessage);
    expect(alerts).toEqual([
      expect.objectContaining({
        event: 'issuer.signature_refused',
        details: expect.objectContaining({ issuer: WALLET, secret: 'ISSUER_RED_PACKET_SECRET', grantId: id }),
      }),
    ]);
    // Neither the secret nor its signature travels in the alert.
    expect(hooks[0]?.body).not.toContain(RED);
  });

  it('the sandbox issuer over HTTP verifies with the issuer secret in use, not WEBHOOK_SECRET', async () => {
    // Only the red-packet type has an issuer URL (pointing at this sandbox, say): only its secret is accepted.
    const sandbox = await deliveryPocket(backends, clock, {
      config: {
        issuerUrls: { red_packet: 'http://127.0.0.1:9/sandbox/issuer' },
        issuerSecrets: { red_packet: { current: RED, previous: null } },
      },
    });
    pocket = sandbox;
    const url = new URL('http://pocket/sandbox/issuer/grants');
    url.searchParams.set('since', new Date(AT.getTime() - 3_600_000).toISOString());
    url.searchParams.set('until', AT.toISOString());
    const list = (secret: string) =>
      request(sandbox.app)
        .get(requestTarget(url))
        .set(signatureHeaders(secret, requestTarget(url), clock()));
    const accepted = await list(RED);
    expect([accepted.status, accepted.body]).toEqual([200, { records: [], nextCursor: null }]);
    const refused = await list(sandbox.config.secrets.webhook);
    expect(refused.status).toBe(401);
    expect((refused.body as { error: { message: string } }).error.message).toBe(
      'X-Pocket-Signature does not verify with ISSUER_RED_PACKET_SECRET or ISSUER_RED_PACKET_SECRET_PREVIOUS, ' +
        'or X-Pocket-Timestamp is more than 5 minutes off',
    );
  });
});
