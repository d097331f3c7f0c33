/**
 * The request an issuer receives, field by field, as the README's issuer protocol documents it: a coupon issuer
 * gets the coupon's terms (minimum spend, validity) from the grant's campaign version, with the grant's time to
 * count the validity from; a reward that sets no terms sends none. Every request is signed as webhooks are, with
 * WEBHOOK_SECRET and, during a rotation, WEBHOOK_SECRET_PREVIOUS: a grant over its body, a listing over its path
 * and query.
 */
import { join } from 'node:path';
import nock from 'nock';
import { verifySignature, verifyTargetSignature } from '../../../src/integrations/notification-signature';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  AT,
  type FakeClock,
} from '../../helpers/delivery';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const COUPONS = 'http://coupons.request.test';
/** WEBHOOK_SECRET_PREVIOUS here: a rotation is under way. */
const OLD_SECRET = 'old-webhook-secret-0123456789abcdefghijkl';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, unknown>;
  body: unknown;
}

describeEachBackend('the request an issuer receives', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let seen: Seen[];

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: {
        definitionsRoot: join(__dirname, 'definitions'),
        issuerUrls: { coupon: COUPONS, voucher: COUPONS },
        previousSecrets: { activityCode: null, webhook: OLD_SECRET, userToken: null },
      },
    });
    seen = [];
    nock(COUPONS)
      .persist()
      .post('/grants')
      .reply(function (path, body) {
        seen.push({ method: this.req.method, path, headers: this.req.headers, body });
        return [201, {}];
      });
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  it("carries a coupon's minimum spend and validity, and the grant's time, with the grant id as key", async () => {
    const [id] = await grantsFor(pocket, ['u-coupon'], 'coupon-drop');
    if (!id) throw new Error('expected a coupon');
    clock.advance(90_000); // delivered later than granted: the validity counts from the grant
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', path: '/grants' });
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': id });
    // Signed at the worker's clock over the body sent, with both secrets during the rotation (current first).
    const timestamp = request?.headers['x-pocket-timestamp'] as string | undefined;
    const signature = request?.headers['x-pocket-signature'] as string | undefined;
    expect(timestamp).toBe(String(Math.floor(clock().getTime() / 1000)));
    expect(signature).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    // nock hands the JSON body back parsed; pocket sends JSON.stringify of the request.
    const body = JSON.stringify(request?.body);
    const verifies = (secret: string, sent = body) =>
      verifySignature({ secret, body: sent, timestamp, signature, now: clock() });
    expect(verifies(pocket.config.secrets.webhook)).toBe(true);
    expect(verifies(OLD_SECRET)).toBe(true);
    expect(verifies('another-secret-0123456789abcdefghijklmnop')).toBe(false);
    expect(verifies(pocket.config.secrets.webhook, body.replace('"amount":1000', '"amount":100000'))).toBe(
      false,
    );
    expect(request?.body).toStrictEqual({
      grantId: id,
      campaignId: 'coupon-drop',
      userId: 'u-coupon',
      rewardId: 'c-10-off-50',
      type: 'coupon',
      amount: 1000,
      currency: 'CNY',
      businessDate: '2026-11-11',
      grantedAt: AT.toISOString(),
      minSpend: 5000,
      validDays: 7,
      test: false,
    });
  });

  it('sends no terms for a voucher that sets none', async () => {
    const [id] = await grantsFor(pocket, ['u-voucher'], 'voucher-drop');
    if (!id) throw new Error('expected a voucher');
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    expect(seen.map((r) => r.body)).toStrictEqual([
      {
        grantId: id,
        campaignId: 'voucher-drop',
        userId: 'u-voucher',
        rewardId: 'v-5',
        type: 'voucher',
        amount: 500,
        currency: 'CNY',
        businessDate: '2026-11-11',
        grantedAt: AT.toISOString(),
        test: false,
      },
    ]);
  });

  it("signs reconciliation's listing requests over their path and query", async () => {
    const listings: Array<{ target: string; headers: Record<string, unknown> }> = [];
    nock(COUPONS)
      .get('/grants')
      .query(true)
      .reply(function (path) {
        listings.push({ target: path, headers: this.req.headers });
        return [200, { records: [], nextCursor: null }];
      });
    await pocket.delivery.offline.run({ since: new Date(AT.getTime() - 3_600_000), graceMs: 0 });
    expect(listings).toHaveLength(1);
    const [listing] = listings;
    if (!listing) throw new Error('no listing read');
    expect(listing.target).toMatch(/^\/grants\?since=[^&]+&until=[^&]+&limit=\d+$/);
    const timestamp = listing.headers['x-pocket-timestamp'] as string | undefined;
    const signature = listing.headers['x-pocket-signature'] as string | undefined;
    const verifies = (secret: string, target = listing.target) =>
      verifyTargetSignature({ secret, target, timestamp, signature, now: clock() });
    expect(verifies(pocket.config.secrets.webhook)).toBe(true);
    expect(verifies(OLD_SECRET)).toBe(true);
    // Not for another window: a captured signature cannot read other records.
    expect(
      verifies(pocket.config.secrets.webhook, listing.target.replace(/since=[^&]+/, 'since=2000-01-01')),
    ).toBe(false);
  });
});
