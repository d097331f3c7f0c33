/**
 * Two reward types configured with the same issuer written two ways (`http://wallet` and `http://wallet/`, a
 * host in capitals, the scheme's default port) are one issuer: reconciliation reads its listing once. It used
 * to read it once per spelling, so every grant it issued was listed twice and reported as `issued_twice`, with
 * an alert each, although each was paid once.
 */
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  AT,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.issuer-urls.test';
const HOUR = 3_600_000;

describeEachBackend('offline reconciliation of one issuer configured under two spellings', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: {
        issuerUrls: {
          red_packet: WALLET,
          coupon: `${WALLET.replace('wallet', 'WALLET')}:80/`,
          voucher: `${WALLET}/`,
        },
      },
    });
    issuer = new FakeIssuer(WALLET, clock);
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  it('reads it once: each grant it issued matches, nothing is listed twice', async () => {
    const ids = await grantsFor(pocket, users('spellings', 3));
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: ids.length });
    expect(issuer.ids()).toEqual(ids);
    clock.advance(2 * HOUR);

    const summary = await pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) });
    expect(summary.issuers.map((i) => i.name)).toEqual(['sandbox', WALLET]);
    expect(summary).toMatchObject({
      ledgerDelivered: ids.length,
      matched: ids.length,
      found: {},
      unresolved: 0,
    });
    expect(await pocket.delivery.discrepancies.list(backends.ledger.db)).toEqual([]);
  });
});
