import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { at, insertGrant, rejection, uniqueViolation } from './ledger-fixtures';

const outbox = new KnexOutboxStore();

describeEachLedger('outbox store', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('inserts one entry per grant and lists pending ones that are due, oldest first', async () => {
    const g1 = await insertGrant(db());
    const g2 = await insertGrant(db(), { userId: 'u2' });
    const g3 = await insertGrant(db(), { userId: 'u3' });
    const later = new Date(at.getTime() + 60_000);
    await outbox.insert(db(), {
      id: 'o2',
      grantId: g2.id,
      kind: 'issue',
      payload: { n: 2 },
      createdAt: later,
    });
    await outbox.insert(db(), {
      id: 'o1',
      grantId: g1.id,
      kind: 'issue',
      payload: { grantId: g1.id },
      createdAt: at,
    });
    await outbox.insert(db(), {
      id: 'o3',
      grantId: g3.id,
      kind: 'issue',
      payload: {},
      createdAt: at,
      nextAttemptAt: new Date(at.getTime() + 3_600_000),
    });
    const due = await outbox.pending(db(), 10, later);
    expect(due.map((e) => e.id)).toEqual(['o1', 'o2']);
    expect(due[0]).toEqual({
      id: 'o1',
      grantId: g1.id,
      kind: 'issue',
      payload: { grantId: g1.id },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      lockedUntil: null,
      lockedBy: null,
      lastError: null,
      createdAt: at,
      updatedAt: at,
    });
    expect((await outbox.pending(db(), 1, later)).map((e) => e.id)).toEqual(['o1']);
  });

  it('skips entries a relay holds, and refuses a second entry for a grant or an unknown grant', async () => {
    const g = await insertGrant(db());
    await outbox.insert(db(), { id: 'o1', grantId: g.id, kind: 'issue', payload: {}, createdAt: at });
    await db()('outbox').update({ locked_until: new Date(at.getTime() + 30_000), locked_by: 'relay-1' });
    expect(await outbox.pending(db(), 10, at)).toEqual([]);
    expect(await outbox.pending(db(), 10, new Date(at.getTime() + 30_000))).toHaveLength(1);
    const second = outbox.insert(db(), {
      id: 'o2',
      grantId: g.id,
      kind: 'issue',
      payload: {},
      createdAt: at,
    });
    expect(await rejection(second)).toMatch(uniqueViolation);
    const orphan = outbox.insert(db(), {
      id: 'o3',
      grantId: 'nope',
      kind: 'issue',
      payload: {},
      createdAt: at,
    });
    expect(await rejection(orphan)).toMatch(/FOREIGN KEY constraint failed|foreign key constraint/);
  });

  it('redeliverDead makes a dead entry pending again, due now, attempts 0; nothing else', async () => {
    const g = await insertGrant(db());
    await outbox.insert(db(), { id: 'o1', grantId: g.id, kind: 'issue', payload: {}, createdAt: at });
    const later = new Date(at.getTime() + 3_600_000);
    expect(await outbox.redeliverDead(db(), g.id, later)).toBe(false); // pending: not dead
    await outbox.claim(db(), { relayId: 'relay-1', limit: 1, now: at, leaseMs: 60_000 });
    expect(await outbox.deadLetter(db(), { id: 'o1', relayId: 'relay-1', attempts: 1 }, at, 'HTTP 503')).toBe(
      true,
    );

    expect(await outbox.redeliverDead(db(), g.id, later)).toBe(true);
    expect(await outbox.findByGrant(db(), g.id)).toMatchObject({
      id: 'o1',
      grantId: g.id,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: later,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      updatedAt: later,
    });
    expect(await outbox.redeliverDead(db(), g.id, later)).toBe(false); // already pending again
    await outbox.complete(db(), 'o1', later);
    expect(await outbox.redeliverDead(db(), g.id, later)).toBe(false); // done
    expect(await outbox.redeliverDead(db(), 'nope', later)).toBe(false);
  });

  it('close finishes a dead or a claimed pending entry as done, out of the dead count; a done one stays', async () => {
    const dead = await insertGrant(db());
    const claimed = await insertGrant(db(), { userId: 'u2' });
    await outbox.insert(db(), { id: 'o1', grantId: dead.id, kind: 'issue', payload: {}, createdAt: at });
    await outbox.insert(db(), { id: 'o2', grantId: claimed.id, kind: 'issue', payload: {}, createdAt: at });
    await outbox.claim(db(), { relayId: 'relay-1', limit: 2, now: at, leaseMs: 60_000 });
    expect(await outbox.deadLetter(db(), { id: 'o1', relayId: 'relay-1', attempts: 1 }, at, 'HTTP 422')).toBe(
      true,
    );
    expect(await outbox.stats(db(), at)).toMatchObject({ dead: 1, pending: 1, inFlight: 1 });

    const later = new Date(at.getTime() + 60_000);
    expect(await outbox.close(db(), 'o1', later, 'voided: fraud')).toBe(true);
    expect(await outbox.close(db(), 'o2', later, 'found downstream')).toBe(true);
    expect(await outbox.findByGrant(db(), dead.id)).toMatchObject({
      status: 'done',
      lastError: 'voided: fraud',
      lockedBy: null,
      updatedAt: later,
    });
    expect(await outbox.findByGrant(db(), claimed.id)).toMatchObject({
      status: 'done',
      lastError: 'found downstream',
      lockedBy: null,
      lockedUntil: null,
    });
    expect(await outbox.stats(db(), later)).toMatchObject({ dead: 0, pending: 0, inFlight: 0 });
    expect(await outbox.close(db(), 'o1', later, 'again')).toBe(false);
    expect(await outbox.findByGrant(db(), dead.id)).toMatchObject({ lastError: 'voided: fraud' });
  });
});
