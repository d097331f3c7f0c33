import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { at } from './ledger-fixtures';

const store = new KnexAuditStore();

describeEachLedger('audit store', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('appends entries and lists them newest first, exactly as written', async () => {
    await store.append(db(), {
      at,
      actor: 'alice',
      action: 'publish',
      campaignId: 'c1',
      fromVersion: null,
      toVersion: 1,
      details: { note: '红包 ✓', gitCommit: 'abc' },
    });
    await store.append(db(), {
      at: new Date(at.getTime() + 1000),
      actor: 'bob',
      action: 'pause',
      campaignId: 'c1',
    });
    await store.append(db(), { at, actor: 'carol', action: 'publish', campaignId: 'c2', toVersion: 1 });
    const all = await store.list(db());
    expect(all.map((e) => [e.actor, e.action, e.campaignId])).toEqual([
      ['carol', 'publish', 'c2'],
      ['bob', 'pause', 'c1'],
      ['alice', 'publish', 'c1'],
    ]);
    expect(all[2]).toEqual({
      id: expect.any(Number),
      at,
      actor: 'alice',
      action: 'publish',
      campaignId: 'c1',
      subject: null,
      fromVersion: null,
      toVersion: 1,
      details: { note: '红包 ✓', gitCommit: 'abc' },
    });
    expect(all[1]).toMatchObject({ subject: null, fromVersion: null, toVersion: null, details: null });
  });

  it('filters by campaign and limits the count', async () => {
    for (let i = 0; i < 5; i++)
      await store.append(db(), { at, actor: 'a', action: 'pause', campaignId: i % 2 ? 'odd' : 'even' });
    expect((await store.list(db(), { campaignId: 'odd' })).length).toBe(2);
    expect((await store.list(db(), { campaignId: 'even', limit: 2 })).length).toBe(2);
    expect(await store.list(db(), { campaignId: 'none' })).toEqual([]);
  });

  it('rolls back with the transaction that wrote it', async () => {
    await expect(
      db().transaction(async (trx) => {
        await store.append(trx, { at, actor: 'a', action: 'publish', campaignId: 'c1' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.list(db())).toEqual([]);
  });
});
