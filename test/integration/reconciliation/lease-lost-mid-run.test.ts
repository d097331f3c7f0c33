/**
 * A worker that loses the scheduler lease in the middle of the offline reconciliation stops at its next grant,
 * leaves every grant it handled whole (its discrepancy and alert, or its redelivery and resolved discrepancy), and
 * records its run as failed (abandoned); the worker that took the lease runs it again and does the rest, each
 * difference recorded and announced once (README, Decisions: "One scheduler").
 */
import nock from 'nock';
import type { Db } from '../../../src/ledger/db';
import { createLogger } from '../../../src/observability/logger';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import type { WorkerParts } from '../../../src/reconciliation/create-worker';
import type { Discrepancy } from '../../../src/reconciliation/discrepancy-store';
import type { ReconcileRun } from '../../../src/reconciliation/reconcile-run-store';
import type { Pocket } from '../../../src/server';
import { bareWorker } from '../../helpers/bare-worker';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  grantStatuses,
  users,
  AT,
  type FakeClock,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import { createBackends, describeEachBackend, testConfig, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.lease-lost.test';
const HOOK = 'http://hooks.lease-lost.test';
const HOUR = 3_600_000;
const GRANTS = 12;
const LOST = 4;

describeEachBackend('the scheduler lease lost in the middle of the offline reconciliation', (backend) => {
  let backends: TestBackends;
  let clock: FakeClock;
  let pocket: Pocket;
  let other: WorkerParts;
  let issuer: FakeIssuer;
  /** Every alert either worker sent, in order. */
  let alerts: NotificationMessage[];
  let warnings: Array<{ msg: string; job?: string }>;
  /** Run when the first worker's webhook gets its nth alert, before it is answered. */
  let onAlert: (n: number) => Promise<void>;

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    alerts = [];
    warnings = [];
    onAlert = async () => undefined;
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET }, notifyUrl: `${HOOK}/pocket` },
      logger: createLogger('warn', {
        write: (line: string) => void warnings.push(JSON.parse(line) as never),
      }),
    });
    nock(HOOK)
      .persist()
      .post('/pocket')
      .reply((_uri, body, callback) => {
        alerts.push(body as NotificationMessage);
        onAlert(alerts.length).then(
          () => callback(null, [204]),
          (err: Error) => callback(err, [500]),
        );
      });
    issuer = new FakeIssuer(WALLET, clock);
    // A second worker on the same ledger, as another `pocket worker` process (its alerts go to the same place).
    other = bareWorker(backends.ledger.db, {
      config: { ...testConfig(), redisUrl: null, issuerUrls: { red_packet: WALLET } },
      clock,
      notifier: { send: async (message) => void alerts.push(message) },
    });
  });
  afterEach(async () => {
    await other.close();
    await closeDeliveryPocket(pocket, backends);
  });

  const db = (): Db => backends.ledger.db;
  const discrepancies = (kind: string): Promise<Discrepancy[]> =>
    pocket.delivery.discrepancies.list(db(), { kinds: [kind as never] });
  const offlineRuns = (): Promise<ReconcileRun[]> => pocket.delivery.runs.latest(db(), 'offline', 10);

  it('stops at the next grant, closes its run as abandoned, and the new holder does the rest once', async () => {
    const ids = await grantsFor(pocket, users('lease-lost', GRANTS));
    expect(ids).toHaveLength(GRANTS);
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: GRANTS });
    // The issuer lost LOST of them (redelivered by a run) and holds the others with a wrong amount (each an open
    // record_mismatch and an alert).
    const lost = ids.slice(0, LOST);
    const mismatched = ids.slice(LOST);
    for (const id of lost) issuer.issued.delete(id);
    for (const id of mismatched) {
      const entry = issuer.issued.get(id);
      if (!entry) throw new Error(`${id} not issued`);
      issuer.issued.set(id, { ...entry, body: { ...entry.body, amount: entry.body.amount + 1 } });
    }
    clock.advance(2 * HOUR);

    // While the first worker's third alert is on its way, its lease runs out unrenewed (a partition), the other
    // worker takes it, and the first one's next renewal is refused.
    const takeover: boolean[] = [];
    onAlert = async (n) => {
      if (n !== 3) return;
      await db()('leases')
        .where({ name: 'scheduler' })
        .update({ expires_at: new Date(clock().getTime() - 1) });
      takeover.push(await other.keeper.confirm(), await pocket.delivery.keeper.confirm());
    };
    expect(await pocket.delivery.scheduler.trigger('offline-reconcile')).toBe('abandoned');
    expect(takeover).toEqual([true, false]);

    const [abandoned] = await offlineRuns();
    expect(abandoned).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('abandoned: this worker lost the scheduler lease'),
      finishedAt: expect.any(Date),
      summary: expect.objectContaining({
        abandoned: true,
        found: expect.objectContaining({ record_mismatch: 3 }),
      }),
    });
    // It stopped right after the grant whose alert was on its way: fewer grants than there are.
    const handled = Number(abandoned?.summary?.['ledgerDelivered']);
    const redeliveredFirst = Number(abandoned?.summary?.['redelivered']);
    expect(handled).toBe(3 + redeliveredFirst);
    expect(handled).toBeLessThan(GRANTS);
    expect(alerts).toHaveLength(3);
    expect(await discrepancies('record_mismatch')).toHaveLength(3);
    // Nothing half-written: a lost grant is either redelivered with its resolved discrepancy, or untouched.
    const statuses = await grantStatuses(db(), lost);
    const missing = await discrepancies('missing_downstream');
    expect(missing).toHaveLength(redeliveredFirst);
    for (const id of lost) {
      const row = missing.find((d) => d.grantId === id);
      expect({ id, status: statuses[id], discrepancy: row?.status ?? null }).toEqual(
        row
          ? { id, status: 'pending', discrepancy: 'resolved' }
          : { id, status: 'delivered', discrepancy: null },
      );
    }
    expect(
      warnings.filter((w) => w.msg === 'scheduler lease lost: run stopped, left to the new holder'),
    ).toEqual([expect.objectContaining({ job: 'offline-reconcile' })]);

    // The new holder runs the job (its window starts where the last successful scheduled run ended: none yet).
    expect(await other.scheduler.trigger('offline-reconcile')).toBe('ran');
    // Both runs started at the same (fake) time: told apart by id.
    const runs = await offlineRuns();
    expect(runs).toHaveLength(2);
    expect(runs.find((r) => r.id === abandoned?.id)?.status).toBe('failed');
    const done = runs.find((r) => r.id !== abandoned?.id);
    expect(done).toMatchObject({
      status: 'ok',
      error: null,
      summary: expect.objectContaining({
        ledgerDelivered: GRANTS - redeliveredFirst,
        redelivered: LOST - redeliveredFirst,
        unresolved: GRANTS - LOST,
      }),
    });
    // Every difference recorded once and announced once, whichever worker found it.
    const open = await discrepancies('record_mismatch');
    expect(open.map((d) => [d.grantId, d.status]).sort()).toEqual(mismatched.map((id) => [id, 'open']));
    expect(alerts.map((a) => a.details['grantId']).sort()).toEqual(mismatched);
    expect((await discrepancies('missing_downstream')).map((d) => [d.grantId, d.status]).sort()).toEqual(
      lost.map((id) => [id, 'resolved']),
    );
    expect(Object.values(await grantStatuses(db(), lost))).toEqual(lost.map(() => 'pending'));

    // The first worker no longer leads: its turns are skipped.
    expect(await pocket.delivery.scheduler.trigger('offline-reconcile')).toBe('skipped_not_leader');
  });
});
