/**
 * The request an issuer receives, field by field, as the README's issuer protocol documents it: a coupon issuer
 * gets the coupon's terms (minimum spend, validity) from the grant's campaign version, with the grant's time to
 * count the validity from; a reward that sets no terms sends none.
 */
import { join } from 'node:path';
import nock from 'nock';
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
});
