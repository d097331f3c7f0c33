/**
 * `pocket reconcile` as a process on grants the issuer never got: the ledger gave them up (one refused, `failed`,
 * one dead-lettered, `dead`) with their delivery discrepancies open. Reconcile lists them and exits 1 until each
 * is handled: resolved by hand (acknowledged from then on) or voided (which also closes the dead letter, so
 * `worker --once` stops counting it).
 */
import { KnexDiscrepancyStore } from '../../../src/reconciliation/knex-discrepancy-store';
import type { OfflineSummary } from '../../../src/reconciliation/offline-reconciler';
import { TINY } from '../../helpers/delivery';
import { useEmbeddedGrants } from './embedded-grants';
import { json } from './run-pocket';

describe('pocket reconcile lists the grants the issuer never got', () => {
  const embedded = useEmbeddedGrants({
    dirPrefix: 'pocket-cli-undelivered-',
    author: 'ops-carol',
    userPrefix: 'undelivered',
    count: 3,
  });
  const { run, withDb } = embedded;
  let refused: string;
  let dead: string;
  let delivered: string;

  beforeAll(async () => {
    [refused = '', dead = '', delivered = ''] = embedded.ids;
    // What the relay leaves when the issuer answers 400 (failed) or 500 until the 12th attempt (dead): the
    // grant given up on, its outbox entry dead, an open discrepancy. The sandbox cannot refuse, so it is set here.
    const now = new Date();
    await withDb(async (db) => {
      const discrepancies = new KnexDiscrepancyStore();
      for (const [id, status, kind] of [
        [refused, 'failed', 'delivery_rejected'],
        [dead, 'dead', 'delivery_dead'],
      ] as const) {
        await db('grants').where({ id }).update({ status, updated_at: now });
        await db('outbox').where({ grant_id: id }).update({ status: 'dead', last_error: 'HTTP 400' });
        await discrepancies.record(db, {
          runId: null,
          kind,
          campaignId: TINY,
          grantId: id,
          details: { issuer: 'wallet', lastError: 'HTTP 400' },
          status: 'open',
          createdAt: now,
        });
      }
    });
  });

  it('exits 1 while one is open, lists them, counts a hand-resolved one as acknowledged, and a void closes it', async () => {
    const once = await run('worker', '--once');
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/relay\s+claimed 1, delivered 1/);
    expect(once.stdout).toMatch(/dead 2, lag/);

    const first = await run('reconcile', '--grace', '0');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/ledger delivered 1, matched 1, .*undelivered 2,/);
    expect(first.stdout).toMatch(/2 undelivered \(failed or dead-lettered in the ledger, at no issuer\)/);
    // The money at stake: each grant's charge, and the total per currency (a finance reader saw no amount).
    expect(first.stdout).toMatch(new RegExp(`${refused}\\s+${TINY}\\s+failed\\s+1\\.00 CNY\\s+\\S+\\s+open`));
    expect(first.stdout).toMatch(new RegExp(`${dead}\\s+${TINY}\\s+dead\\s+1\\.00 CNY\\s+\\S+\\s+open`));
    expect(first.stdout).toContain('at stake (charged to budgets, all 2): 2.00 CNY\n');
    expect(first.stdout).toMatch(/delivery_rejected\s+1/);
    expect(first.stdout).toMatch(/delivery_dead\s+1/);
    expect(first.stdout).toMatch(/2 unresolved \(pocket discrepancies list --open\)/);
    expect(first.stdout).not.toMatch(/all resolved/);
    expect(first.stdout).not.toContain(delivered);

    // Finance accepts the refused one by hand: acknowledged from then on; the dead one still holds exit 1.
    const listed = json<OfflineSummary>(await run('reconcile', '--grace', '0', '--format', 'json'));
    const refusedEntry = listed.undelivered.find((u) => u.grantId === refused);
    expect(refusedEntry).toMatchObject({
      status: 'failed',
      charge: 100,
      currency: 'CNY',
      discrepancy: 'open',
    });
    expect(listed.undeliveredCharge).toEqual([{ currency: 'CNY', charge: 200 }]);
    const open = await run('discrepancies', 'list', '--open', '--format', 'json');
    expect(json<{ discrepancies: unknown[]; atStake: unknown }>(open)).toMatchObject({
      // Both recorded at the same instant: in id order.
      discrepancies: expect.arrayContaining([
        expect.objectContaining({
          kind: 'delivery_rejected',
          grantId: refused,
          charge: 100,
          currency: 'CNY',
        }),
        expect.objectContaining({ kind: 'delivery_dead', grantId: dead, charge: 100, currency: 'CNY' }),
      ]),
      atStake: [{ currency: 'CNY', charge: 200 }],
    });
    const openTable = (await run('discrepancies', 'list', '--open')).stdout;
    expect(openTable).toMatch(new RegExp(`delivery_dead\\s+${TINY}\\s+${dead}\\s+1\\.00 CNY\\s+open`));
    expect(openTable).toContain('at stake (open ones, charged to budgets, each grant once): 2.00 CNY\n');
    const resolved = await run(
      'discrepancies',
      'resolve',
      refusedEntry?.discrepancyId ?? '',
      '--note',
      'paid by hand, ticket FIN-7',
    );
    expect(resolved.code).toBe(0);
    // A resolved one is listed, but no longer at stake: it was handled (it counted, 2.00 CNY for 1.00 open).
    const all = await run('discrepancies', 'list', '--format', 'json');
    expect(json<{ discrepancies: unknown[]; atStake: unknown }>(all)).toMatchObject({
      discrepancies: expect.arrayContaining([
        expect.objectContaining({ grantId: refused, status: 'resolved' }),
        expect.objectContaining({ grantId: dead, status: 'open' }),
      ]),
      atStake: [{ currency: 'CNY', charge: 100 }],
    });
    const second = await run('reconcile', '--grace', '0', '--format', 'json');
    expect(second.code).toBe(1);
    expect(json<OfflineSummary>(second)).toMatchObject({
      ledgerUndelivered: 2,
      unresolved: 1,
      acknowledged: 1,
    });

    // The dead one will not be paid: voided, its dead letter is closed in the same transaction.
    const voided = await run('grants', 'void', dead, '--reason', 'issuer gone');
    expect(voided.code).toBe(0);
    expect(voided.stdout).toMatch(/dead-lettered delivery closed/);
    expect((await run('worker', '--once')).stdout).toMatch(/dead 1, lag/);

    const third = await run('reconcile', '--grace', '0');
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/1 undelivered/);
    expect(third.stdout).toMatch(
      new RegExp(`${refused}\\s+${TINY}\\s+failed\\s+1\\.00 CNY\\s+\\S+\\s+acknowledged`),
    );
    expect(third.stdout).toMatch(/1 acknowledged earlier \(resolved by hand\)/);
  });
});
