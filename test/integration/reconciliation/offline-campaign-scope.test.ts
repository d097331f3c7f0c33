/**
 * `reconcile --campaign X` on both backend pairs: a campaign-scoped offline run only ever resolves discrepancies
 * of that campaign (whatever the row's stored campaign says: a row without one is judged by its grant's campaign
 * in the ledger). Differences about records unknown to the ledger belong to no campaign: every run reads every
 * issuer over its whole window, so a scoped run re-examines them and resolves the ones that are gone.
 */
import type { Pocket } from '../../../src/server';
import {
  grantsFor,
  AT,
  BULK,
  TINY,
  type FakeClock,
  startReconciliationRig,
  type ReconciliationRig,
} from '../../helpers/delivery';
import type { FakeIssuer } from '../../helpers/fake-issuer';
import { describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.offline-scope.test';
const HOOK = 'http://hooks.offline-scope.test';
const HOUR = 3_600_000;

describeEachBackend('offline reconciliation of one campaign', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;
  let rig: ReconciliationRig | undefined;
  let bulk: string;
  let tiny: string;

  beforeEach(async () => {
    rig = await startReconciliationRig(backend, WALLET, HOOK);
    ({ backends, pocket, clock, issuer } = rig);
    [bulk = ''] = await grantsFor(pocket, ['u-scope-bulk'], BULK);
    [tiny = ''] = await grantsFor(pocket, ['u-scope-tiny'], TINY);
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: 2 });
    clock.advance(2 * HOUR);
  });
  afterEach(() => rig?.close());

  const db = () => backends.ledger.db;
  const run = (campaignId: string | null = null) =>
    pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR), campaignId });
  const open = async () =>
    (await pocket.delivery.discrepancies.list(db(), { status: 'open' }))
      .map((d) => [d.kind, d.campaignId, d.grantId])
      .sort();
  /** The issuer reports `delta` more than the ledger's amount for the grant. */
  const skew = (grantId: string, delta: number) => {
    const entry = issuer.issued.get(grantId);
    if (!entry) throw new Error('not issued');
    issuer.issued.set(grantId, { ...entry, body: { ...entry.body, amount: entry.body.amount + delta } });
  };

  it("never resolves another campaign's record_mismatch, and resolves its own once fixed", async () => {
    skew(bulk, 1);
    skew(tiny, 1);
    expect(await run()).toMatchObject({ found: { record_mismatch: 2 }, unresolved: 2 });
    const both = [
      ['record_mismatch', BULK, bulk],
      ['record_mismatch', TINY, tiny],
    ].sort();
    expect(await open()).toEqual(both);

    expect(await run(BULK)).toMatchObject({
      ledgerDelivered: 1,
      found: { record_mismatch: 1 },
      unresolved: 1,
      resolvedEarlier: 0,
    });
    expect(await run(TINY)).toMatchObject({ found: { record_mismatch: 1 }, resolvedEarlier: 0 });
    expect(await open()).toEqual(both);

    // TINY's is fixed downstream: a BULK run has not looked at it, a TINY run has.
    skew(tiny, -1);
    expect(await run(BULK)).toMatchObject({ resolvedEarlier: 0, unresolved: 1 });
    expect(await open()).toEqual(both);
    expect(await run(TINY)).toMatchObject({ resolvedEarlier: 1, unresolved: 0, matched: 1 });
    expect(await open()).toEqual([['record_mismatch', BULK, bulk]]);
  });

  it("leaves another campaign's voided_but_issued and campaign-less rows about its grants open", async () => {
    await pocket.delivery.voids.void(tiny, { reason: 'fraud ring', actor: 'ops', force: true });
    expect(await run()).toMatchObject({ found: { voided_but_issued: 1 }, unresolved: 1 });
    // A row recorded without its campaign (as issued_twice used to be), about TINY's grant, issued in the window.
    const record = { grantId: tiny, rewardId: 'rp', amount: 100, issuedAt: AT.toISOString() };
    await pocket.delivery.discrepancies.record(db(), {
      runId: null,
      kind: 'issued_twice',
      campaignId: null,
      grantId: tiny,
      details: { issuers: [WALLET, 'sandbox'], records: [record, record] },
      status: 'open',
      createdAt: clock(),
    });

    expect(await run(BULK)).toMatchObject({ matched: 1, found: {}, unresolved: 0, resolvedEarlier: 0 });
    expect(await open()).toEqual(
      [
        ['issued_twice', null, tiny],
        ['voided_but_issued', TINY, tiny],
      ].sort(),
    );

    // TINY's own run looks at both again: the void is still held downstream, the double listing is gone.
    expect(await run(TINY)).toMatchObject({ found: { voided_but_issued: 1 }, resolvedEarlier: 1 });
    expect(await open()).toEqual([['voided_but_issued', TINY, tiny]]);
  });

  it('reports and resolves records unknown to the ledger in a scoped run: it read every issuer in full', async () => {
    const entry = issuer.issued.get(bulk);
    if (!entry) throw new Error('not issued');
    issuer.issued.set('ghost-grant', {
      body: { ...entry.body, grantId: 'ghost-grant' },
      issuedAt: new Date(AT.getTime() + 60_000),
    });
    expect(await run(TINY)).toMatchObject({ found: { unknown_downstream: 1 }, unresolved: 1 });
    expect(await open()).toEqual([['unknown_downstream', null, 'ghost-grant']]);
    issuer.issued.delete('ghost-grant');
    expect(await run(BULK)).toMatchObject({ found: {}, resolvedEarlier: 1 });
    expect(await open()).toEqual([]);
  });
});
