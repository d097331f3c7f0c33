/**
 * `grants redeliver`: a person sends a dead or refused grant again once the issuer is fixed. The same outbox
 * entry goes back to pending, due now, attempts reset, with the same Idempotency-Key (an issuer that has the
 * grant after all answers 409 and it counts as delivered, issued once); the open delivery discrepancy is
 * resolved and the audit log says who and why. A grant that is unknown, void, delivered, or still pending or in
 * flight is refused, and of two redeliveries at once only one happens.
 */
import { GrantRedeliveryService } from '../../../src/delivery/grant-redelivery-service';
import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { Pocket } from '../../../src/server';
import {
  grantsFor,
  grantStatuses,
  startReconciliationRig,
  type FakeClock,
  type ReconciliationRig,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.redeliver.test';
const HOOK = 'http://hooks.redeliver.test';
const outbox = new KnexOutboxStore();
const audit = new KnexAuditStore();

describeEachBackend('grant redelivery', (backend) => {
  let rig: ReconciliationRig;
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;
  let alerts: Array<Record<string, unknown>>;
  let redeliveries: GrantRedeliveryService;

  beforeEach(async () => {
    rig = await startReconciliationRig(backend, WALLET, HOOK);
    ({ backends, pocket, clock, issuer, alerts } = rig);
    redeliveries = new GrantRedeliveryService({
      db: backends.ledger.db,
      grants: new KnexGrantStore(),
      outbox,
      audit,
      discrepancies: pocket.delivery.discrepancies,
      clock,
    });
  });
  afterEach(() => rig?.close());

  const db = () => backends.ledger.db;
  const audited = async (action: string) => (await audit.list(db())).filter((a) => a.action === action);
  const discrepancies = async (grantId: string) =>
    (await pocket.delivery.discrepancies.list(db(), { grantId })).map((d) => [d.kind, d.status]);

  /** Drains with the issuer failing until the grant is dead-lettered (12 attempts). */
  async function deadLetter(id: string): Promise<void> {
    for (let attempt = 1; attempt <= 12; attempt++) {
      await pocket.delivery.relay.drain();
      clock.advance(10 * 60_000);
    }
    expect((await grantStatuses(db(), [id]))[id]).toBe('dead');
  }

  it('sends a dead grant again with the same key: the issuer that had it after all keeps it once', async () => {
    const [id] = await grantsFor(pocket, ['u-lost']);
    if (!id) throw new Error('expected a red packet');
    const before = await outbox.findByGrant(db(), id);
    issuer.mode = 'lossy'; // issues it, then every answer is lost
    await deadLetter(id);
    expect(await discrepancies(id)).toEqual([['delivery_dead', 'open']]);

    issuer.mode = 'up';
    const result = await redeliveries.redeliver(id, { actor: 'alice', reason: 'wallet answers again' });
    expect(result).toMatchObject({
      previousStatus: 'dead',
      previousAttempts: 12,
      lastError: 'HTTP 500',
      resolvedDiscrepancies: 1,
      grant: { id, status: 'pending' },
    });
    expect(await outbox.findByGrant(db(), id)).toMatchObject({
      id: before?.id,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: clock(),
      lockedBy: null,
    });
    const [resolved] = await pocket.delivery.discrepancies.list(db(), { grantId: id });
    expect(resolved).toMatchObject({
      kind: 'delivery_dead',
      status: 'resolved',
      resolution: 'redelivery requested by alice: wallet answers again',
      resolvedBy: null,
    });
    const [entry] = await audited('grant.redeliver');
    expect(entry).toMatchObject({
      actor: 'alice',
      action: 'grant.redeliver',
      subject: id,
      details: expect.objectContaining({
        reason: 'wallet answers again',
        previousStatus: 'dead',
        attempts: 12,
        lastError: 'HTTP 500',
      }),
    });

    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.requests.map((r) => [r.key, r.answered])).toEqual([
      ...Array.from({ length: 12 }, () => [id, 500]),
      [id, 409],
    ]);
    expect(issuer.ids()).toEqual([id]);
    expect((await grantStatuses(db(), [id]))[id]).toBe('delivered');
    await expect(redeliveries.redeliver(id, { actor: 'alice' })).rejects.toMatchObject({
      code: 'grant_delivered',
      message: `grant ${id} was already delivered: the issuer has it`,
    });
  });

  it('sends a refused grant again; refused again, it opens a new discrepancy and alerts again', async () => {
    const [id] = await grantsFor(pocket, ['u-refused']);
    if (!id) throw new Error('expected a red packet');
    issuer.mode = 'reject';
    expect(await pocket.delivery.relay.drain()).toMatchObject({ rejected: 1 });
    expect((await grantStatuses(db(), [id]))[id]).toBe('failed');

    expect(await redeliveries.redeliver(id, { actor: 'bob' })).toMatchObject({
      previousStatus: 'failed',
      previousAttempts: 1,
      resolvedDiscrepancies: 1,
    });
    expect((await audited('grant.redeliver'))[0]?.details).toMatchObject({
      reason: null,
      previousStatus: 'failed',
    });
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, rejected: 1 });
    expect(issuer.attempts(id)).toBe(2);
    // The same refusal again: a new difference to look at, not one a person already acknowledged.
    expect((await discrepancies(id)).sort()).toEqual([
      ['delivery_rejected', 'open'],
      ['delivery_rejected', 'resolved'],
    ]);
    expect(alerts.map((a) => [a['event'], (a['details'] as Record<string, unknown>)['grantId']])).toEqual([
      ['reconcile.discrepancy', id],
      ['reconcile.discrepancy', id],
    ]);
  });

  it('refuses an unknown, pending, in-flight, delivered or void grant and changes nothing', async () => {
    const [pending, inFlight, delivered, voided] = await grantsFor(pocket, ['u-1', 'u-2', 'u-3', 'u-4']);
    if (!pending || !inFlight || !delivered || !voided) throw new Error('expected four red packets');
    const refusal = (id: string) =>
      redeliveries.redeliver(id, { actor: 'carol' }).then(
        () => 'redelivered',
        (e: { status: number; code: string }) => [e.status, e.code],
      );

    expect(await refusal('no-such-grant')).toEqual([404, 'grant_not_found']);
    expect(await refusal(pending)).toEqual([409, 'delivery_pending']);
    await pocket.delivery.voids.void(voided, { reason: 'fraud', actor: 'carol' });
    expect(await refusal(voided)).toEqual([409, 'grant_void']);
    // A relay holds these two; one is delivered, one is still at the issuer.
    await outbox.claim(db(), { relayId: 'relay-x', limit: 10, now: clock(), leaseMs: 60_000 });
    const entry = await outbox.findByGrant(db(), delivered);
    if (!entry) throw new Error('no outbox entry');
    expect(await pocket.delivery.delivery.deliver(entry, 'relay-x')).toBe('delivered');
    expect(await refusal(delivered)).toEqual([409, 'grant_delivered']);
    expect(await refusal(inFlight)).toEqual([409, 'delivery_in_flight']);

    expect(await audited('grant.redeliver')).toEqual([]);
    expect(await grantStatuses(db(), [pending, inFlight, delivered])).toEqual({
      [pending]: 'pending',
      [inFlight]: 'pending',
      [delivered]: 'delivered',
    });
  });

  it('of several redeliveries at once, exactly one happens', async () => {
    const [id] = await grantsFor(pocket, ['u-race']);
    if (!id) throw new Error('expected a red packet');
    issuer.mode = 'reject';
    await pocket.delivery.relay.drain();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => redeliveries.redeliver(id, { actor: `op-${i}` })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toMatchObject({ status: 409 });
    }
    expect(await audited('grant.redeliver')).toHaveLength(1);
    expect(await outbox.findByGrant(db(), id)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
