/**
 * Offline reconciliation on both backend pairs, against an HTTP issuer (nock) and the sandbox: each kind of
 * difference is injected downstream and found, then repaired (redelivery, ledger correction) or left open with
 * an alert, and resolved once it is gone. The issuers are paged and read beyond both edges of the window.
 */
import request from 'supertest';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import { KnexSandboxIssuedStore } from '../../../src/integrations/knex-sandbox-issued-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import { KnexReconciliationReads } from '../../../src/reconciliation/knex-reconciliation-reads';
import { OfflineReconciler } from '../../../src/reconciliation/offline-reconciler';
import { grantsFor, grantStatuses, BULK, AT, users, useReconciliationRig } from '../../helpers/delivery';
import { describeEachBackend } from '../../helpers/pocket';

const WALLET = 'http://wallet.offline.test';
const HOOK = 'http://hooks.offline.test';
const HOUR = 3_600_000;
const MINUTE = 60_000;

describeEachBackend('offline reconciliation', (backend) => {
  const rig = useReconciliationRig(backend, WALLET, HOOK);

  const db = () => rig.backends.ledger.db;
  /** Delivered grants, then two hours later a run over the day so far (the default grace is 1 h). */
  async function deliveredGrants(n: number, prefix: string): Promise<string[]> {
    const ids = await grantsFor(rig.pocket, users(prefix, n));
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: n });
    rig.clock.advance(2 * HOUR);
    return ids;
  }
  const run = () => rig.pocket.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) });
  const open = () => rig.pocket.delivery.discrepancies.list(db(), { status: 'open' });

  /** A grant at AT that the issuer issued but whose every answer was lost: the relay dead-letters it. */
  const deadLetteredWhileIssued = async (userId: string): Promise<string> => {
    rig.clock.set(AT);
    const [id] = await grantsFor(rig.pocket, [userId]);
    if (!id) throw new Error('no grant');
    rig.issuer.mode = 'lossy';
    for (let i = 0; i < 12; i++) {
      await rig.pocket.delivery.relay.drain();
      rig.clock.advance(10 * MINUTE);
    }
    return id;
  };

  it('finds nothing when the issuers hold exactly what the ledger delivered (sandbox included)', async () => {
    const ids = await deliveredGrants(4, 'clean');
    rig.clock.set(AT);
    const tester = await request(rig.pocket.app)
      .post(`/v1/campaigns/${BULK}/participations`)
      .set('Idempotency-Key', 'k-qa')
      .send({ userId: 'qa-bulk', context: { channel: 'app' } });
    expect(tester.body).toMatchObject({ grant: { test: true } });
    await rig.pocket.delivery.relay.drain();
    rig.clock.advance(2 * HOUR);
    const summary = await run();
    expect(summary).toMatchObject({
      ledgerDelivered: 5,
      matched: 5,
      redelivered: 0,
      found: {},
      unresolved: 0,
      until: new Date(AT.getTime() + HOUR).toISOString(),
    });
    expect(summary.issuers).toEqual([
      { name: 'sandbox', records: 1 },
      { name: WALLET, records: 4 },
    ]);
    expect(rig.issuer.ids()).toEqual(ids);
    const [row] = await rig.pocket.delivery.runs.latest(db(), 'offline', 1);
    expect(row).toMatchObject({
      id: summary.runId,
      status: 'ok',
      summary: expect.objectContaining({ matched: 5 }),
    });
  });

  it('redelivers a grant the issuer lost, with the same key, and then finds it in order', async () => {
    const ids = await deliveredGrants(3, 'lost');
    const [lost] = ids;
    if (!lost) throw new Error('no grant');
    rig.issuer.issued.delete(lost);
    const first = await run();
    expect(first).toMatchObject({
      matched: 2,
      redelivered: 1,
      found: { missing_downstream: 1 },
      unresolved: 0,
    });
    expect((await grantStatuses(db(), [lost]))[lost]).toBe('pending');
    const [missing] = await rig.pocket.delivery.discrepancies.list(db(), { kinds: ['missing_downstream'] });
    expect(missing).toMatchObject({
      grantId: lost,
      status: 'resolved',
      resolution: expect.stringContaining('redelivery'),
    });

    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(rig.issuer.requests.filter((r) => r.key === lost).map((r) => r.answered)).toEqual([201, 201]);
    expect(rig.issuer.ids()).toEqual(ids);
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ ledgerDelivered: 3, matched: 3, found: {}, unresolved: 0 });
    expect(rig.alerts).toEqual([]);
  });

  it('alerts once when a redelivered grant is still missing: the issuer answers 409 but never lists it', async () => {
    const [lost] = await deliveredGrants(1, 'still-lost');
    if (!lost) throw new Error('no grant');
    rig.issuer.issued.delete(lost);
    rig.issuer.keysOnly.add(lost);
    // First run: redelivered quietly, as for any grant an issuer lost once.
    expect(await run()).toMatchObject({ redelivered: 1, found: { missing_downstream: 1 }, unresolved: 0 });
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    expect(rig.alerts).toEqual([]);

    // Missing again after that redelivery: redelivered again, but left open for a person, with one alert.
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ redelivered: 1, found: { missing_downstream: 1 }, unresolved: 1 });
    expect(await open()).toEqual([
      expect.objectContaining({
        kind: 'missing_downstream',
        grantId: lost,
        details: expect.objectContaining({ missingAfterRedelivery: true }),
      }),
    ]);
    expect(rig.alerts).toEqual([
      expect.objectContaining({
        event: 'reconcile.discrepancy',
        details: expect.objectContaining({ kind: 'missing_downstream', grantId: lost }),
      }),
    ]);

    // Every later run finds it open: no second alert, until the issuer lists it and the run resolves it.
    await rig.pocket.delivery.relay.drain();
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ unresolved: 1 });
    expect(rig.alerts).toHaveLength(1);
    rig.issuer.keysOnly.delete(lost); // the issuer fixed: this redelivery is issued
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: 1 });
    expect(rig.issuer.ids()).toEqual([lost]);
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ unresolved: 0, found: {} });
    expect(await open()).toEqual([]);
  });

  it('reports a downstream record unknown to the ledger and a mismatched one, alerts once, resolves when fixed', async () => {
    const [id] = await deliveredGrants(2, 'odd');
    if (!id) throw new Error('no grant');
    const entry = rig.issuer.issued.get(id);
    if (!entry) throw new Error('not issued');
    rig.issuer.issued.set(id, { ...entry, body: { ...entry.body, amount: entry.body.amount + 1 } });
    rig.issuer.issued.set('ghost-grant', {
      body: { ...entry.body, grantId: 'ghost-grant', userId: 'nobody' },
      issuedAt: new Date(AT.getTime() + 60_000),
    });

    const first = await run();
    expect(first).toMatchObject({
      found: { record_mismatch: 1, unknown_downstream: 1 },
      unresolved: 2,
      matched: 1,
    });
    expect((await open()).map((d) => [d.kind, d.grantId, d.campaignId]).sort()).toEqual([
      ['record_mismatch', id, BULK],
      ['unknown_downstream', 'ghost-grant', null],
    ]);
    const mismatch = (await open()).find((d) => d.kind === 'record_mismatch');
    expect(mismatch?.details['mismatch']).toEqual({
      amount: { ledger: entry.body.amount, issuer: entry.body.amount + 1 },
    });
    expect(
      rig.alerts.map((a) => [a['event'], a['campaignId'], (a['details'] as { kind: string }).kind]).sort(),
    ).toEqual([
      ['reconcile.discrepancy', null, 'unknown_downstream'],
      ['reconcile.discrepancy', BULK, 'record_mismatch'],
    ]);

    // Seen again: still open, not recorded or announced twice.
    expect(await run()).toMatchObject({ unresolved: 2 });
    expect(await open()).toHaveLength(2);
    expect(rig.alerts).toHaveLength(2);

    // Fixed downstream: the next run resolves both.
    rig.issuer.issued.set(id, entry);
    rig.issuer.issued.delete('ghost-grant');
    expect(await run()).toMatchObject({ unresolved: 0, resolvedEarlier: 2, found: {} });
    expect(await open()).toEqual([]);
  });

  it('flags a grant issued by two issuers, and corrects a grant the ledger gave up on that the issuer has', async () => {
    const [twice] = await deliveredGrants(1, 'twice');
    if (!twice) throw new Error('no grant');
    const body = rig.issuer.issued.get(twice)?.body;
    if (!body) throw new Error('not issued');
    await new KnexSandboxIssuedStore().insert(db(), { ...body, issuedAt: AT });

    // The issuer issues but its answers are lost: the relay retries until it dead-letters the grant.
    const kept = await deadLetteredWhileIssued('u-answer-lost');
    expect((await grantStatuses(db(), [kept]))[kept]).toBe('dead');
    expect(await rig.pocket.delivery.relay.stats()).toMatchObject({ dead: 1 });
    rig.issuer.mode = 'up';
    rig.clock.advance(2 * HOUR);

    const summary = await run();
    expect(summary).toMatchObject({
      found: { issued_twice: 1, delivery_not_recorded: 1 },
      corrected: 1,
      unresolved: 1,
    });
    expect((await grantStatuses(db(), [kept]))[kept]).toBe('delivered');
    // Nothing is left to send: the dead letter is closed with the correction, out of the backlog's dead count.
    expect(await new KnexOutboxStore().findByGrant(db(), kept)).toMatchObject({
      status: 'done',
      lastError: 'found downstream',
    });
    expect(await rig.pocket.delivery.relay.stats()).toMatchObject({ dead: 0, pending: 0 });
    expect((await open()).map((d) => [d.kind, d.grantId])).toEqual([['issued_twice', twice]]);
    const dead = await rig.pocket.delivery.discrepancies.list(db(), { grantId: kept });
    expect(dead.map((d) => [d.kind, d.status]).sort()).toEqual([
      ['delivery_dead', 'resolved'],
      ['delivery_not_recorded', 'resolved'],
    ]);
  });

  it('finds a grant corrected long after the issuer issued it in order, instead of redelivering it every run', async () => {
    // Issued at once, but every answer lost: dead-lettered, then corrected by a run hours later. The correction
    // is its delivered_at; the issuer's record keeps the first attempt's time, long before the next run's window.
    const late = await deadLetteredWhileIssued('u-issued-early');
    rig.issuer.mode = 'up';
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ corrected: 1, redelivered: 0 });
    const correctedAt = rig.clock();

    rig.clock.advance(26 * HOUR);
    const next = await rig.pocket.delivery.offline.run({ since: new Date(correctedAt.getTime() - HOUR) });
    expect(next).toMatchObject({ ledgerDelivered: 1, matched: 1, redelivered: 0, found: {}, unresolved: 0 });
    expect((await grantStatuses(db(), [late]))[late]).toBe('delivered');
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ claimed: 0 });
  });

  it('corrects a grant dead-lettered in the window that the issuer issued before it, instead of listing it', async () => {
    const early = await deadLetteredWhileIssued('u-dead-early');
    expect((await grantStatuses(db(), [early]))[early]).toBe('dead');
    rig.issuer.mode = 'up';
    // The window starts just before it was dead-lettered, more than 15 minutes after the issuer issued it.
    const since = new Date(rig.clock().getTime() - 30 * MINUTE);
    rig.clock.advance(2 * HOUR);
    expect(await rig.pocket.delivery.offline.run({ since })).toMatchObject({
      corrected: 1,
      ledgerUndelivered: 0,
      found: { delivery_not_recorded: 1 },
      unresolved: 0,
    });
    expect((await grantStatuses(db(), [early]))[early]).toBe('delivered');
  });

  it('counts and lists refused and dead-lettered grants the issuer never got until each is handled', async () => {
    const delivered = await grantsFor(rig.pocket, users('ok', 2));
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ delivered: 2 });
    rig.issuer.mode = 'reject'; // 422 for these two
    const refused = await grantsFor(rig.pocket, users('refused', 2));
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ rejected: 2 });
    rig.issuer.mode = 'down'; // 503 on every attempt until the 12th: dead-lettered
    const [dead] = await grantsFor(rig.pocket, ['u-dead']);
    if (!dead) throw new Error('no grant');
    for (let i = 0; i < 12; i++) {
      await rig.pocket.delivery.relay.drain();
      rig.clock.advance(10 * MINUTE);
    }
    expect(await grantStatuses(db(), [...refused, dead])).toEqual({
      ...Object.fromEntries(refused.map((id) => [id, 'failed'])),
      [dead]: 'dead',
    });
    rig.issuer.mode = 'up';
    rig.clock.advance(2 * HOUR);
    const alertsBefore = rig.alerts.length;
    expect(alertsBefore).toBe(3);

    const first = await run();
    expect(first).toMatchObject({
      ledgerDelivered: 2,
      matched: 2,
      ledgerUndelivered: 3,
      found: { delivery_rejected: 2, delivery_dead: 1 },
      unresolved: 3,
      acknowledged: 0,
    });
    const byGrant = new Map((await open()).map((d) => [d.grantId, d]));
    expect([...first.undelivered].sort((a, b) => (a.grantId < b.grantId ? -1 : 1))).toEqual(
      [...refused.map((id) => [id, 'failed']), [dead, 'dead']]
        .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1))
        .map(([grantId, status]) => ({
          grantId,
          campaignId: BULK,
          status,
          charge: 50,
          currency: 'CNY',
          discrepancyId: byGrant.get(grantId ?? '')?.id,
          discrepancy: 'open',
        })),
    );
    expect(first.undeliveredCharge).toEqual([{ currency: 'CNY', charge: 150 }]);
    // Found again, not opened again: the delivery's own discrepancies, no second alert.
    expect(await open()).toHaveLength(3);
    expect(rig.alerts).toHaveLength(alertsBefore);
    expect(delivered).toHaveLength(2);

    // A person resolves them by hand (handled at the issuer, or the loss accepted): found again unchanged,
    // they are acknowledged, not unresolved.
    for (const d of await open()) {
      await rig.pocket.delivery.discrepancies.resolve(
        db(),
        d.id,
        rig.clock(),
        'accepted the loss',
        'finance-bob',
      );
    }
    rig.clock.advance(HOUR);
    const after = await run();
    expect(after).toMatchObject({ ledgerUndelivered: 3, unresolved: 0, acknowledged: 3 });
    expect(after.undelivered.map((u) => u.discrepancy)).toEqual([
      'acknowledged',
      'acknowledged',
      'acknowledged',
    ]);
    expect(await open()).toEqual([]);
    expect(rig.alerts).toHaveLength(alertsBefore);

    // A grant the ledger gave up on with no discrepancy at all (say, its row was lost) gets one, and an alert.
    await db()('discrepancies').where({ grant_id: dead }).delete();
    const again = await run();
    expect(again).toMatchObject({ ledgerUndelivered: 3, unresolved: 1, acknowledged: 2 });
    expect((await open()).map((d) => [d.kind, d.grantId])).toEqual([['delivery_dead', dead]]);
    expect(rig.alerts).toHaveLength(alertsBefore + 1);

    // A campaign's run sees only its grants; one given up on before the window is another run's.
    expect(
      await rig.pocket.delivery.offline.run({
        since: new Date(AT.getTime() - HOUR),
        campaignId: 'tiny-drop',
      }),
    ).toMatchObject({ ledgerUndelivered: 0, undelivered: [] });
    expect(
      await rig.pocket.delivery.offline.run({ since: new Date(rig.clock().getTime() - 2 * HOUR) }),
    ).toMatchObject({
      ledgerUndelivered: 0,
      unresolved: 0,
    });
  });

  it('flags a grant the issuer has although it was voided', async () => {
    const [id] = await grantsFor(rig.pocket, ['u-voided']);
    if (!id) throw new Error('no grant');
    rig.issuer.mode = 'lossy'; // issued, but the relay hears 500 and keeps the grant pending
    expect(await rig.pocket.delivery.relay.drain()).toMatchObject({ retry: 1 });
    await rig.pocket.delivery.voids.void(id, { reason: 'fraud ring', actor: 'ops' });
    rig.issuer.mode = 'up';
    rig.clock.advance(2 * HOUR);
    expect(await run()).toMatchObject({ found: { voided_but_issued: 1 }, unresolved: 1 });
    expect((await open()).map((d) => [d.kind, d.grantId, d.details['voidReason']])).toEqual([
      ['voided_but_issued', id, 'fraud ring'],
    ]);
    expect(rig.alerts.map((a) => (a['details'] as { kind: string }).kind)).toEqual(['voided_but_issued']);
  });

  it('pages through the issuer and reads it 15 minutes beyond both edges of the window', async () => {
    const ids = await deliveredGrants(5, 'paged');
    const [early, late] = ids;
    if (!early || !late) throw new Error('no grants');
    // The run's window is [AT − 1 h, AT + 1 h): the issuer is read over [AT − 75 min, AT + 75 min).
    const since = new Date(AT.getTime() - HOUR);
    const until = new Date(AT.getTime() + HOUR);
    const stamp = (grantId: string, issuedAt: Date) => {
      const entry = rig.issuer.issued.get(grantId) ?? rig.issuer.issued.get(early);
      if (!entry) throw new Error('not issued');
      rig.issuer.issued.set(grantId, { body: { ...entry.body, grantId }, issuedAt });
    };
    // Delivered inside the window by the ledger's clock, stamped by the issuer just across an edge: still
    // matched, not redelivered.
    stamp(early, new Date(since.getTime() - 14 * MINUTE));
    stamp(late, new Date(until.getTime() + 14 * MINUTE));
    // Unknown to the ledger: inside the overlap it is read and flagged; beyond it, it is left to another run.
    stamp('ghost-inside', new Date(until.getTime() + 14 * MINUTE));
    stamp('ghost-after', new Date(until.getTime() + 16 * MINUTE));
    stamp('ghost-before', new Date(since.getTime() - 16 * MINUTE));

    const pages = jest.spyOn(HttpIssuer.prototype, 'listIssued');
    try {
      const offline = new OfflineReconciler({
        db: db(),
        issuers: rig.pocket.delivery.issuers,
        grants: new KnexGrantStore(),
        outbox: new KnexOutboxStore(),
        reads: new KnexReconciliationReads(),
        discrepancies: rig.pocket.delivery.discrepancies,
        runs: rig.pocket.delivery.runs,
        alerts: rig.pocket.delivery.alerts,
        clock: rig.clock,
        logger: silentLogger(),
        settings: { pageSize: 2 },
      });
      const summary = await offline.run({ since });
      expect(summary).toMatchObject({
        since: since.toISOString(),
        until: until.toISOString(),
        ledgerDelivered: 5,
        matched: 5,
        redelivered: 0,
        found: { unknown_downstream: 1 },
        unresolved: 1,
      });
      expect(summary.issuers).toEqual([
        { name: 'sandbox', records: 0 },
        { name: WALLET, records: 6 },
      ]);
      const read = {
        since: new Date(since.getTime() - 15 * MINUTE),
        until: new Date(until.getTime() + 15 * MINUTE),
      };
      expect(pages.mock.calls.map(([query]) => query)).toEqual([
        { ...read, cursor: null, limit: 2 },
        { ...read, cursor: '2', limit: 2 },
        { ...read, cursor: '4', limit: 2 },
      ]);
    } finally {
      pages.mockRestore();
    }
    expect((await open()).map((d) => [d.kind, d.grantId])).toEqual([['unknown_downstream', 'ghost-inside']]);
    expect(Object.values(await grantStatuses(db(), ids))).toEqual(Array(5).fill('delivered'));
  });

  it('starts a scheduled run where the last good one ended: a late run leaves no delivered grant unchecked', async () => {
    const { offline } = rig.pocket.delivery;
    await deliveredGrants(1, 'on-time');
    expect(await offline.run({ scheduled: true })).toMatchObject({
      since: new Date(AT.getTime() - 23 * HOUR).toISOString(),
      until: new Date(AT.getTime() + HOUR).toISOString(),
      matched: 1,
    });
    // Delivered after that window ended; the issuer then loses it. The next scheduled run comes 26 hours later
    // (a 25-hour day in the worker's zone, a worker restarted late): a window of the last 24 hours misses it.
    const [late] = await grantsFor(rig.pocket, users('late', 1));
    if (!late) throw new Error('no grant');
    await rig.pocket.delivery.relay.drain();
    rig.issuer.issued.delete(late);
    rig.clock.advance(26 * HOUR);
    expect(await offline.run()).toMatchObject({ since: new Date(AT.getTime() + 3 * HOUR).toISOString() });
    expect((await grantStatuses(db(), [late]))[late]).toBe('delivered');
    expect(await offline.run({ scheduled: true })).toMatchObject({
      since: new Date(AT.getTime() + HOUR).toISOString(),
      until: new Date(AT.getTime() + 27 * HOUR).toISOString(),
      found: { missing_downstream: 1 },
      redelivered: 1,
    });
    expect((await grantStatuses(db(), [late]))[late]).toBe('pending');
    // After a longer outage it reaches back 7 days at most (the log names the command for the rest).
    rig.clock.advance(10 * 24 * HOUR);
    const until = rig.clock().getTime() - HOUR;
    expect(await offline.run({ scheduled: true })).toMatchObject({
      since: new Date(until - 7 * 24 * HOUR).toISOString(),
    });
  });

  it('refuses an empty window and never looks at the last hour', async () => {
    expect(() => rig.pocket.delivery.offline.window({ since: rig.clock() })).toThrow(/empty window/);
    const { until } = rig.pocket.delivery.offline.window({ until: new Date(rig.clock().getTime() + HOUR) });
    expect(until.getTime()).toBe(rig.clock().getTime() - HOUR);
  });
});
