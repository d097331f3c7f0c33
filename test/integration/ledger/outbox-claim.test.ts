/**
 * OutboxStore.claim: a claim takes at most `limit` due entries, oldest first, on both engines. On PostgreSQL it
 * chooses with FOR UPDATE SKIP LOCKED: while one relay's claim still holds its rows (its transaction is open),
 * a second relay's claim takes the other due rows at once instead of waiting for the first to finish. Without
 * SKIP LOCKED the second claim waits on the locked rows; a short lock_timeout turns that wait into an error, so
 * the test neither hangs nor depends on timing. OutboxStore.renewClaim extends a claim only while it is still
 * the same relay's unexpired claim; OutboxStore.deadLetter records a refusal only under the claim it was sent
 * in, before any other claim.
 */
import type { Db } from '../../../src/ledger/db';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { describeEachLedger, useLedger, type LedgerKind } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { at, insertGrant } from './ledger-fixtures';

const outbox = new KnexOutboxStore();
const claim = { now: new Date(at.getTime() + 60_000), leaseMs: 60_000 };

/** Entries o1 … on, due one second apart. */
async function dueEntries(db: Db, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    const grant = await insertGrant(db, { userId: `u${i}` });
    const createdAt = new Date(at.getTime() + i * 1000);
    await outbox.insert(db, { id: `o${i}`, grantId: grant.id, kind: 'issue', payload: {}, createdAt });
  }
}

function useClaimLedger(kind: LedgerKind): () => Db {
  const ledger = useLedger(kind);
  return () => ledger.current.db;
}

describeEachLedger('outbox claim', (kind) => {
  const db = useClaimLedger(kind);

  it('claims at most the limit, oldest first, then the next ones', async () => {
    await dueEntries(db(), 5);
    const first = await outbox.claim(db(), { ...claim, relayId: 'relay-a', limit: 2 });
    expect(first.map((e) => [e.id, e.lockedBy, e.attempts])).toEqual([
      ['o1', 'relay-a', 1],
      ['o2', 'relay-a', 1],
    ]);
    const second = await outbox.claim(db(), { ...claim, relayId: 'relay-b', limit: 2 });
    expect(second.map((e) => e.id)).toEqual(['o3', 'o4']);
    const unclaimed = await db()('outbox').whereNull('locked_by').select('id', 'attempts');
    expect(unclaimed).toEqual([{ id: 'o5', attempts: 0 }]);
  });

  it('renews a claim only while it is still the same, unexpired claim of the same relay', async () => {
    await dueEntries(db(), 2);
    const [o1, o2] = await outbox.claim(db(), { ...claim, relayId: 'relay-a', limit: 2 });
    if (!o1 || !o2) throw new Error('nothing claimed');
    const mine = (e: typeof o1) => ({ id: e.id, relayId: 'relay-a', attempts: e.attempts });
    const second = (s: number) => new Date(claim.now.getTime() + s * 1000);

    // Still held at +59 s: extended to +59 s + the send lease.
    expect(await outbox.renewClaim(db(), mine(o1), second(59), 7_000)).toBe(true);
    expect((await outbox.findByGrant(db(), o1.grantId))?.lockedUntil).toEqual(second(66));
    // Another relay, or an earlier claim (fewer attempts), cannot renew it.
    expect(await outbox.renewClaim(db(), { ...mine(o1), relayId: 'relay-b' }, second(59), 7_000)).toBe(false);
    expect(await outbox.renewClaim(db(), { ...mine(o1), attempts: 0 }, second(59), 7_000)).toBe(false);

    // o2's claim ran out at +60 s: not renewed, even though nobody has taken it yet.
    expect(await outbox.renewClaim(db(), mine(o2), second(60), 7_000)).toBe(false);
    // relay-b takes it; relay-a's old claim (now also outdated by the attempt count) stays refused.
    const [taken] = await outbox.claim(db(), { ...claim, now: second(61), relayId: 'relay-b', limit: 10 });
    expect([taken?.id, taken?.lockedBy, taken?.attempts]).toEqual(['o2', 'relay-b', 2]);
    expect(await outbox.renewClaim(db(), mine(o2), second(62), 7_000)).toBe(false);
    expect(
      await outbox.renewClaim(db(), { ...mine(taken ?? o2), relayId: 'relay-b' }, second(62), 7_000),
    ).toBe(true);

    // A completed entry is never renewed.
    await outbox.complete(db(), o1.id, second(63));
    expect(await outbox.renewClaim(db(), mine(o1), second(63), 7_000)).toBe(false);
  });

  it('dead-letters an entry only under the claim it was sent in, run out or not, never under a later one', async () => {
    await dueEntries(db(), 2);
    const [o1, o2] = await outbox.claim(db(), { ...claim, relayId: 'relay-a', limit: 2 });
    if (!o1 || !o2) throw new Error('nothing claimed');
    const mine = (e: typeof o1) => ({ id: e.id, relayId: 'relay-a', attempts: e.attempts });
    const later = new Date(claim.now.getTime() + 120_000);

    // o1's claim ran out and relay-b took it: relay-a's refusal changes nothing, relay-b's is recorded.
    const [taken] = await outbox.claim(db(), { ...claim, now: later, relayId: 'relay-b', limit: 1 });
    expect([taken?.id, taken?.attempts]).toEqual(['o1', 2]);
    expect(await outbox.deadLetter(db(), mine(o1), later, 'HTTP 422')).toBe(false);
    expect(await outbox.findByGrant(db(), o1.grantId)).toMatchObject({
      status: 'pending',
      lockedBy: 'relay-b',
    });
    expect(await outbox.deadLetter(db(), { ...mine(o1), relayId: 'relay-b', attempts: 2 }, later, 'x')).toBe(
      true,
    );

    // o2's claim ran out too, but nobody has claimed it since: nobody else can have sent it.
    expect(await outbox.deadLetter(db(), { ...mine(o2), attempts: 0 }, later, 'HTTP 422')).toBe(false);
    expect(await outbox.deadLetter(db(), mine(o2), later, 'HTTP 422')).toBe(true);
    expect(await outbox.findByGrant(db(), o2.grantId)).toMatchObject({ status: 'dead', lockedBy: null });
    expect(await outbox.deadLetter(db(), mine(o2), later, 'HTTP 422')).toBe(false);
  });
});

describeWithServices(['DATABASE_URL'], 'outbox claim [postgres]', () => {
  const db = useClaimLedger('postgres');

  it('skips the rows another claim holds instead of waiting for them', async () => {
    await dueEntries(db(), 4);
    const holder = await db().transaction();
    try {
      const held = await outbox.claim(holder, { ...claim, relayId: 'relay-a', limit: 2 });
      expect(held.map((e) => e.id)).toEqual(['o1', 'o2']);

      // relay-a has not committed: o1 and o2 are still locked (and look unclaimed to everyone else).
      const other = await db().transaction(async (trx) => {
        await trx.raw("SET LOCAL lock_timeout = '2s'");
        return outbox.claim(trx, { ...claim, relayId: 'relay-b', limit: 10 });
      });
      expect(other.map((e) => [e.id, e.lockedBy])).toEqual([
        ['o3', 'relay-b'],
        ['o4', 'relay-b'],
      ]);
      await holder.commit();
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }

    const rows = await db()('outbox').orderBy('id').select('id', 'locked_by', 'attempts');
    expect(rows).toEqual([
      { id: 'o1', locked_by: 'relay-a', attempts: 1 },
      { id: 'o2', locked_by: 'relay-a', attempts: 1 },
      { id: 'o3', locked_by: 'relay-b', attempts: 1 },
      { id: 'o4', locked_by: 'relay-b', attempts: 1 },
    ]);
    expect(await outbox.claim(db(), { ...claim, relayId: 'relay-c', limit: 10 })).toEqual([]);
  });
});
