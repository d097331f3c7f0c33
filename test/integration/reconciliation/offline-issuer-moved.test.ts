/**
 * An issuer moved to a new URL, on both backend pairs (nock issuers): grants delivered to the red-packet issuer
 * at its old URL are recorded with it (grants.issuer). A worker configured with the new URL over the same ledger
 * reconciles the window without sending them to the new issuer (another system would issue them a second time)
 * and without a missing_downstream: they are counted as `elsewhere`, per issuer. A grant delivered before the
 * ledger kept its issuer (null) is still taken as the current issuer's and redelivered, as before. A grant the
 * old issuer refused goes to the new one when a person redelivers it.
 */
import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { GrantRedeliveryService } from '../../../src/delivery/grant-redelivery-service';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { Pocket } from '../../../src/server';
import {
  AT,
  deliveryPocket,
  grantsFor,
  grantStatuses,
  users,
  useReconciliationRig,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { describeEachBackend } from '../../helpers/pocket';

const OLD = 'http://wallet-old.issuer-moved.test';
const NEW = 'http://wallet-new.issuer-moved.test';
const HOOK = 'http://hooks.issuer-moved.test';
const HOUR = 3_600_000;

describeEachBackend('offline reconciliation after an issuer moved to a new URL', (backend) => {
  const rig = useReconciliationRig(backend, OLD, HOOK);
  const db = () => rig.backends.ledger.db;
  let moved: Pocket | undefined;
  afterEach(async () => {
    await moved?.close();
    moved = undefined;
  });

  /** What the ledger recorded as each grant's issuer. */
  const issuers = async (ids: readonly string[]): Promise<Record<string, string | null>> => {
    const rows = (await db()('grants')
      .whereIn('id', [...ids])
      .select('id', 'issuer')) as Array<{ id: string; issuer: string | null }>;
    return Object.fromEntries(rows.map((r) => [r.id, r.issuer]));
  };

  /** A worker over the same ledger with ISSUER_RED_PACKET_URL set to NEW, and the issuer it reaches there. */
  const movedWorker = async (): Promise<{ pocket: Pocket; issuer: FakeIssuer }> => {
    const issuer = new FakeIssuer(NEW, rig.clock);
    moved = await deliveryPocket(rig.backends, rig.clock, {
      config: { issuerUrls: { red_packet: NEW }, notifyUrl: `${HOOK}/pocket` },
    });
    return { pocket: moved, issuer };
  };

  it('leaves grants delivered to the old URL alone, and still redelivers one recorded without issuer', async () => {
    const ids = await grantsFor(rig.pocket, users('moved', 3));
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: 3 });
    expect(await issuers(ids)).toEqual(Object.fromEntries(ids.map((id) => [id, OLD])));
    const [legacy, ...elsewhere] = ids;
    if (!legacy) throw new Error('no grant');
    // Delivered by a build from before the column: no issuer recorded.
    await db()('grants').where({ id: legacy }).update({ issuer: null });
    rig.clock.advance(2 * HOUR);

    const { pocket, issuer } = await movedWorker();
    const summary = await pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) });
    expect(summary).toMatchObject({
      ledgerDelivered: 3,
      matched: 0,
      redelivered: 1,
      elsewhere: 2,
      elsewhereIssuers: [{ name: OLD, grants: 2 }],
      found: { missing_downstream: 1 },
      unresolved: 0,
    });
    expect(summary.issuers).toEqual([
      { name: 'sandbox', records: 0 },
      { name: NEW, records: 0 },
    ]);
    const missing = await pocket.delivery.discrepancies.list(db(), { kinds: ['missing_downstream'] });
    expect(missing.map((d) => d.grantId)).toEqual([legacy]);

    // Only the legacy grant is sent to the new URL; the others stay delivered at the old one.
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.requests.map((r) => r.key)).toEqual([legacy]);
    expect(await grantStatuses(db(), ids)).toEqual(Object.fromEntries(ids.map((id) => [id, 'delivered'])));
    expect(await issuers(ids)).toEqual({
      [legacy]: NEW,
      ...Object.fromEntries(elsewhere.map((id) => [id, OLD])),
    });

    // The next run finds them the same way: nothing sent, nothing recorded.
    rig.clock.advance(2 * HOUR);
    expect(await pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) })).toMatchObject({
      ledgerDelivered: 3,
      matched: 1,
      redelivered: 0,
      elsewhere: 2,
      found: {},
      unresolved: 0,
    });
    expect(issuer.requests).toHaveLength(1);
  });

  it('records the issuer that refused a grant; a person redelivering it sends it to the new URL', async () => {
    rig.issuer.mode = 'reject';
    const [refused] = await grantsFor(rig.pocket, ['u-refused']);
    if (!refused) throw new Error('no grant');
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ rejected: 1 });
    expect(await issuers([refused])).toEqual({ [refused]: OLD });
    rig.clock.advance(2 * HOUR);

    const { pocket, issuer } = await movedWorker();
    // Refused, at no issuer read: listed undelivered as before, not elsewhere (it was never delivered).
    expect(await pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) })).toMatchObject({
      ledgerUndelivered: 1,
      elsewhere: 0,
      redelivered: 0,
    });
    expect(issuer.requests).toEqual([]);

    const redelivery = new GrantRedeliveryService({
      db: db(),
      grants: new KnexGrantStore(),
      outbox: new KnexOutboxStore(),
      audit: new KnexAuditStore(),
      discrepancies: pocket.delivery.discrepancies,
      clock: rig.clock,
    });
    await redelivery.redeliver(refused, { actor: 'ops', reason: 'the wallet moved' });
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    expect(issuer.requests.map((r) => r.key)).toEqual([refused]);
    expect(await issuers([refused])).toEqual({ [refused]: NEW });
  });
});
