/**
 * A void grant the issuer still holds, on both backend pairs: issued before the void it is voided_but_issued,
 * issued after it issued_after_void. Either stays open (reconcile reports it unresolved, one alert) until a
 * person resolves it with a note: audited, and later runs that find the same difference count it as
 * acknowledged, not unresolved, and send no alert. A different difference opens a new discrepancy.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../../src/errors/app-error';
import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { grantsFor, AT, users, useReconciliationRig } from '../../helpers/delivery';
import { describeEachBackend } from '../../helpers/pocket';

const WALLET = 'http://wallet.resolve.test';
const HOOK = 'http://hooks.resolve.test';
const HOUR = 3_600_000;

describeEachBackend('resolving a discrepancy by hand', (backend) => {
  const rig = useReconciliationRig(backend, WALLET, HOOK);

  const db = () => rig.backends.ledger.db;
  const run = () => rig.pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR), graceMs: 0 });
  const open = () => rig.pocket.delivery.discrepancies.list(db(), { status: 'open' });
  const alertKinds = () => rig.alerts.map((a) => (a['details'] as { kind: string }).kind);

  /** A grant delivered to the wallet, then voided with --force: the wallet keeps its record. */
  async function voidedDelivered(user: string): Promise<string> {
    const [id] = await grantsFor(rig.pocket, [user]);
    if (!id) throw new Error('no grant');
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    rig.clock.advance(10 * 60_000);
    const voided = await rig.pocket.delivery.voids.void(id, {
      reason: 'duplicate account',
      actor: 'ops',
      force: true,
    });
    expect(voided.previousStatus).toBe('delivered');
    rig.clock.advance(HOUR);
    return id;
  }

  it('reports a voided delivered grant until finance resolves it, then never again for the same record', async () => {
    const id = await voidedDelivered('u-paid');

    const first = await run();
    expect(first).toMatchObject({ found: { voided_but_issued: 1 }, unresolved: 1, acknowledged: 0 });
    const [flagged, ...others] = await open();
    expect(others).toEqual([]);
    expect(flagged).toMatchObject({
      kind: 'voided_but_issued',
      grantId: id,
      details: { issuer: WALLET, voidReason: 'duplicate account', record: { grantId: id } },
    });
    if (!flagged) throw new Error('not flagged');
    expect(alertKinds()).toEqual(['voided_but_issued']);

    // The same run again: still open, still unresolved, no second alert.
    expect(await run()).toMatchObject({ unresolved: 1, acknowledged: 0 });
    expect(rig.alerts).toHaveLength(1);

    rig.clock.advance(60_000);
    const resolved = await rig.pocket.delivery.resolver.resolve(flagged.id, {
      note: 'revoked at the wallet, ticket FIN-42',
      actor: 'finance-bob',
    });
    expect(resolved).toMatchObject({
      id: flagged.id,
      status: 'resolved',
      resolvedBy: 'finance-bob',
      resolution: 'revoked at the wallet, ticket FIN-42',
    });
    const [entry] = await new KnexAuditStore().list(db(), { limit: 1 });
    expect(entry).toMatchObject({
      actor: 'finance-bob',
      action: 'discrepancy.resolve',
      subject: flagged.id,
      at: rig.clock(),
      details: {
        note: 'revoked at the wallet, ticket FIN-42',
        kind: 'voided_but_issued',
        grantId: id,
      },
    });

    rig.clock.advance(HOUR);
    const after = await run();
    expect(after).toMatchObject({ found: { voided_but_issued: 1 }, unresolved: 0, acknowledged: 1 });
    expect(await open()).toEqual([]);
    expect(rig.alerts).toHaveLength(1);
    const rows = await rig.pocket.delivery.discrepancies.list(db(), { grantId: id });
    expect(rows.map((d) => [d.kind, d.status, d.resolvedBy])).toEqual([
      ['voided_but_issued', 'resolved', 'finance-bob'],
    ]);

    // A different difference about the same grant (the wallet now reports another amount) opens a new one.
    const held = rig.issuer.issued.get(id);
    if (!held) throw new Error('not issued');
    rig.issuer.issued.set(id, { ...held, body: { ...held.body, amount: held.body.amount + 1 } });
    expect(await run()).toMatchObject({ unresolved: 1, acknowledged: 0 });
    expect((await open()).map((d) => [d.kind, d.grantId])).toEqual([['voided_but_issued', id]]);
    expect(alertKinds()).toEqual(['voided_but_issued', 'voided_but_issued']);
  });

  it('names a record the issuer made after the void issued_after_void', async () => {
    rig.issuer.mode = 'down';
    const [id] = await grantsFor(rig.pocket, users('late', 1));
    if (!id) throw new Error('no grant');
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ retry: 1 });
    const sent = rig.issuer.requests.find((r) => r.key === id);
    if (!sent) throw new Error('never sent');
    const voided = await rig.pocket.delivery.voids.void(id, { reason: 'fraud ring', actor: 'ops' });
    expect(voided).toMatchObject({ previousStatus: 'pending', deliveryCancelled: true });
    rig.clock.advance(5 * 60_000);
    rig.issuer.issued.set(id, { body: sent.body, issuedAt: rig.clock() }); // the issuer ignored the cancellation
    rig.issuer.mode = 'up';
    rig.clock.advance(2 * HOUR);

    expect(await run()).toMatchObject({ found: { issued_after_void: 1 }, unresolved: 1 });
    expect((await open()).map((d) => [d.kind, d.grantId])).toEqual([['issued_after_void', id]]);
    expect(alertKinds()).toEqual(['issued_after_void']);
  });

  it('refuses an unknown id, a second resolution and an empty note, and changes nothing', async () => {
    const id = await voidedDelivered('u-twice');
    await run();
    const [flagged] = await open();
    if (!flagged) throw new Error('not flagged');

    await expect(
      rig.pocket.delivery.resolver.resolve('no-such-discrepancy', { note: 'x', actor: 'ops' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      rig.pocket.delivery.resolver.resolve(flagged.id, { note: '  ', actor: 'ops' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await open()).map((d) => d.id)).toEqual([flagged.id]);

    await rig.pocket.delivery.resolver.resolve(flagged.id, { note: 'loss accepted', actor: 'finance' });
    await expect(
      rig.pocket.delivery.resolver.resolve(flagged.id, { note: 'again', actor: 'other' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const [row] = await rig.pocket.delivery.discrepancies.list(db(), { grantId: id });
    expect(row).toMatchObject({ resolution: 'loss accepted', resolvedBy: 'finance' });
    const entries = await new KnexAuditStore().list(db());
    expect(entries.filter((e) => e.action === 'discrepancy.resolve')).toHaveLength(1);
  });
});
