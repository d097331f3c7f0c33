/**
 * `grants void`: the one compensation for a failed or dead grant. The ledger frees its positions, a pending
 * delivery is cancelled, the audit log records it, and the hot counters give the stock, budget and the user's
 * count back (at once when the hot state is shared; by the service's real-time reconciliation otherwise).
 */
import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import { GrantVoidService } from '../../../src/reconciliation/grant-void-service';
import { KnexReconciliationReads } from '../../../src/reconciliation/knex-reconciliation-reads';
import { mergeCounters } from '../../../src/reconciliation/merge-counters';
import { normalizeCounters } from '../../../src/hot-state/campaign-counters';
import { RealtimeReconciler } from '../../../src/reconciliation/realtime-reconciler';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  grantStatuses,
  AT,
  TINY,
  users,
  type FakeClock,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.void.test';
const grants = new KnexGrantStore();

describeEachBackend('grant void', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      refreshMs: 3_600_000,
      config: { issuerUrls: { red_packet: WALLET } },
    });
    issuer = new FakeIssuer(WALLET, clock);
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const db = () => backends.ledger.db;
  const expectedCounters = async () =>
    normalizeCounters(
      mergeCounters(await grants.campaignCounters(db(), TINY), await pocket.hotState.reservations(TINY)),
    );

  it('gives a refused grant back: its slot goes to the next participant, the user may take another', async () => {
    const ids = await grantsFor(pocket, users('full', 4), TINY);
    issuer.mode = 'reject';
    const [refused] = await grantsFor(pocket, ['u-refused'], TINY);
    if (!refused) throw new Error('no grant');
    await pocket.delivery.relay.drain();
    expect((await grantStatuses(db(), [refused]))[refused]).toBe('failed');
    // The four earlier grants were refused too (never drained while the issuer was up).
    expect(await pocket.delivery.relay.stats()).toMatchObject({ dead: 5 });
    issuer.mode = 'up';
    // Stock 5 is gone: the next participant gets the consolation.
    const [none] = await grantsFor(pocket, ['u-late'], TINY);
    expect(none).toBeUndefined();
    const slot = (await grants.get(db(), refused))?.fences.stockSlot;
    expect(slot).toBe(5);

    const result = await pocket.delivery.voids.void(refused, {
      reason: 'issuer refused: account closed',
      actor: 'alice',
    });
    expect(result).toMatchObject({
      previousStatus: 'failed',
      deliveryCancelled: false,
      deadLetterClosed: true,
      resolvedDiscrepancies: 1,
      hotState: 'rebuilt',
      user: 'primed',
      grant: { status: 'void', voidReason: 'issuer refused: account closed', voided: { stockSlot: 5 } },
    });
    expect(await pocket.hotState.readCounters(TINY)).toEqual(await expectedCounters());
    expect(await pocket.hotState.readUser(TINY, 'u-refused')).toMatchObject({ total: 0 });
    // Nobody needs to act on its delivery any more: the dead letter is closed in the void's transaction.
    expect(await new KnexOutboxStore().findByGrant(db(), refused)).toMatchObject({
      status: 'done',
      lastError: 'voided: issuer refused: account closed',
    });
    expect(await pocket.delivery.relay.stats()).toMatchObject({ dead: 4 });
    const [audit] = await new KnexAuditStore().list(db(), { campaignId: TINY });
    expect(audit).toMatchObject({
      actor: 'alice',
      action: 'grant.void',
      subject: refused,
      details: expect.objectContaining({
        reason: 'issuer refused: account closed',
        previousStatus: 'failed',
      }),
    });
    expect(
      (await pocket.delivery.discrepancies.list(db(), { grantId: refused })).map((d) => [d.kind, d.status]),
    ).toEqual([['delivery_rejected', 'resolved']]);

    // The freed slot is handed out again, and the refused user may participate again.
    const [again] = await grantsFor(pocket, ['u-refused'], TINY);
    expect((await grants.get(db(), again ?? ''))?.fences.stockSlot).toBe(5);
    expect(ids).toHaveLength(4);
  });

  it('refuses a grant whose delivery is at the issuer right now without --force: it would be paid and void', async () => {
    const [id] = await grantsFor(pocket, ['u-in-flight'], TINY);
    if (!id) throw new Error('no grant');
    issuer.delayMs = 300;
    const sending = pocket.delivery.relay.runOnce();
    for (const deadline = Date.now() + 10_000; issuer.requests.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 5));
    // The issuer has taken the grant and is answering: a void now would free its slot while it is paid.
    await expect(pocket.delivery.voids.void(id, { reason: 'fraud', actor: 'bob' })).rejects.toMatchObject({
      code: 'delivery_in_flight',
    });
    expect(await sending).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.ids()).toEqual([id]);
    expect((await grantStatuses(db(), [id]))[id]).toBe('delivered');
    expect(await grants.get(db(), id)).toMatchObject({ fences: { stockSlot: 1 } });
    const actions = (await new KnexAuditStore().list(db(), { campaignId: TINY })).map((a) => a.action);
    expect(actions).not.toContain('grant.void');
  });

  it('voids a grant in flight with --force (a person takes it back at the issuer if it arrives)', async () => {
    const [id] = await grantsFor(pocket, ['u-in-flight-forced'], TINY);
    if (!id) throw new Error('no grant');
    issuer.delayMs = 300;
    const sending = pocket.delivery.relay.runOnce();
    for (const deadline = Date.now() + 10_000; issuer.requests.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(
      await pocket.delivery.voids.void(id, { reason: 'fraud', actor: 'bob', force: true }),
    ).toMatchObject({ previousStatus: 'pending', deliveryCancelled: true });
    // The issuer then took it: the user may be paid for a void grant. Recorded at once, where nothing said so
    // until offline reconciliation's next run (03:30 by default) found the issuer's record.
    expect(await sending).toMatchObject({ claimed: 1, delivered: 0, skipped: 1 });
    expect((await grantStatuses(db(), [id]))[id]).toBe('void');
    // When and where on the void row: offline reconciliation then reads it as issued before the void (and finds
    // this discrepancy recorded), not as an issuer's `issued_after_void` that would close it.
    expect(await grants.get(db(), id)).toMatchObject({
      status: 'void',
      issuer: WALLET,
      deliveredAt: expect.any(Date),
    });
    expect(await pocket.delivery.discrepancies.list(db(), { grantId: id })).toEqual([
      expect.objectContaining({
        kind: 'voided_but_issued',
        status: 'open',
        campaignId: TINY,
        details: expect.objectContaining({ issuer: WALLET, foundBy: 'delivery', voidReason: 'fraud' }),
      }),
    ]);
  });

  it('cancels a pending delivery, refuses a delivered grant without --force, and a second void', async () => {
    const [pending, delivered] = await grantsFor(pocket, ['u-p', 'u-d'], TINY);
    if (!pending || !delivered) throw new Error('no grants');
    await pocket.delivery.voids.void(pending, { reason: 'fraud', actor: 'bob' }).then((r) => {
      expect(r).toMatchObject({
        previousStatus: 'pending',
        deliveryCancelled: true,
        deadLetterClosed: false,
      });
    });
    await expect(
      pocket.delivery.voids.void(pending, { reason: 'again', actor: 'bob' }),
    ).rejects.toMatchObject({
      code: 'grant_already_void',
    });
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.ids()).toEqual([delivered]);
    await expect(
      pocket.delivery.voids.void(delivered, { reason: 'oops', actor: 'bob' }),
    ).rejects.toMatchObject({
      code: 'grant_delivered',
    });
    expect((await grantStatuses(db(), [delivered]))[delivered]).toBe('delivered');
    await expect(pocket.delivery.voids.void('nope', { reason: 'x', actor: 'bob' })).rejects.toMatchObject({
      code: 'grant_not_found',
    });
    await expect(pocket.delivery.voids.void(delivered, { reason: ' ', actor: 'bob' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(
      await pocket.delivery.voids.void(delivered, {
        reason: 'revoked at the issuer',
        actor: 'bob',
        force: true,
      }),
    ).toMatchObject({ previousStatus: 'delivered' });
  });

  it('without the shared hot state, real-time reconciliation gives the counters back', async () => {
    await grantsFor(pocket, users('cli', 2), TINY);
    const [voided] = await grantsFor(pocket, ['u-cli'], TINY);
    if (!voided) throw new Error('no grant');
    clock.advance(30 * 60_000); // the user's participation is no longer "recent"; the void will be
    const cli = new GrantVoidService({
      db: db(),
      grants,
      outbox: new KnexOutboxStore(),
      audit: new KnexAuditStore(),
      discrepancies: pocket.delivery.discrepancies,
      hot: null,
      clock,
    });
    expect(await cli.void(voided, { reason: 'duplicate account', actor: 'ops' })).toMatchObject({
      hotState: 'deferred',
      user: 'deferred',
    });
    expect(await pocket.hotState.readUser(TINY, 'u-cli')).toMatchObject({ total: 1 });

    const reconciler = new RealtimeReconciler({
      db: db(),
      registry: pocket.registry,
      hotState: pocket.hotState,
      rebuilder: pocket.rebuilder,
      grants,
      reads: new KnexReconciliationReads(),
      discrepancies: pocket.delivery.discrepancies,
      runs: pocket.delivery.runs,
      alerts: pocket.delivery.alerts,
      clock,
      logger: silentLogger(),
      sleep: async () => undefined,
    });
    const summary = await reconciler.run();
    expect(summary.found).toEqual({ counter_drift: 1, user_counter_drift: 1 });
    expect(await pocket.hotState.readCounters(TINY)).toEqual(await expectedCounters());
    expect(await pocket.hotState.readUser(TINY, 'u-cli')).toMatchObject({ total: 0 });
  });
});
