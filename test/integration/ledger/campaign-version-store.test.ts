import { KnexCampaignVersionStore } from '../../../src/ledger/knex-campaign-version-store';
import type { NewCampaignVersion } from '../../../src/ledger/campaign-version-store';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { at, rejection, uniqueViolation } from './ledger-fixtures';

const store = new KnexCampaignVersionStore();

function version(campaignId: string, n: number, over: Partial<NewCampaignVersion> = {}): NewCampaignVersion {
  return {
    campaignId,
    version: n,
    fingerprint: `sha256:${campaignId}:${n}`,
    body: `{"id":"${campaignId}","v":${n},"name":"红包 ✓"}`,
    createdAt: new Date(at.getTime() + n * 1000),
    author: 'alice',
    gitCommit: 'abc123',
    note: null,
    ...over,
  };
}

describeEachLedger('campaign version store', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('inserts versions inactive and reads them back exactly', async () => {
    await store.insert(db(), version('c1', 1, { note: 'first' }));
    expect(await store.get(db(), 'c1', 1)).toEqual({ ...version('c1', 1, { note: 'first' }), active: false });
    expect(await store.get(db(), 'c1', 2)).toBeNull();
    expect(await store.active(db(), 'c1')).toBeNull();
  });

  it('refuses a version number twice', async () => {
    await store.insert(db(), version('c1', 1));
    expect(await rejection(store.insert(db(), version('c1', 1)))).toMatch(uniqueViolation);
  });

  it('lists newest first, gives the latest, and activates exactly one version per campaign', async () => {
    for (const n of [1, 2, 3]) await store.insert(db(), version('c1', n));
    await store.insert(db(), version('c2', 1));
    expect((await store.list(db(), 'c1')).map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await store.latest(db(), 'c1'))?.version).toBe(3);
    expect(await store.latest(db(), 'nope')).toBeNull();

    expect(await store.activate(db(), 'c1', 2)).toBe(true);
    expect(await store.activate(db(), 'c2', 1)).toBe(true);
    expect((await store.active(db(), 'c1'))?.version).toBe(2);
    expect(await store.activate(db(), 'c1', 3)).toBe(true);
    expect((await store.active(db(), 'c1'))?.version).toBe(3);
    expect(await store.activate(db(), 'c1', 9)).toBe(false);
    expect((await store.active(db(), 'c1'))?.version).toBe(3);
    const fingerprintOf = async (id: string, v: number): Promise<string | undefined> =>
      (await store.get(db(), id, v))?.fingerprint;
    expect(await store.activeHeads(db())).toEqual([
      { campaignId: 'c1', version: 3, fingerprint: await fingerprintOf('c1', 3) },
      { campaignId: 'c2', version: 1, fingerprint: await fingerprintOf('c2', 1) },
    ]);
  });

  it('the partial unique index refuses a second active version', async () => {
    await store.insert(db(), version('c1', 1));
    await store.insert(db(), version('c1', 2));
    await db()('campaign_versions').where({ campaign_id: 'c1', version: 1 }).update({ active: true });
    const second = db()('campaign_versions')
      .where({ campaign_id: 'c1', version: 2 })
      .update({ active: true });
    expect(await rejection(second)).toMatch(uniqueViolation);
  });

  it('keeps the pause overlay apart from versions', async () => {
    expect(await store.pauseState(db(), 'c1')).toEqual({
      campaignId: 'c1',
      paused: false,
      pausedAt: null,
      pausedBy: null,
      updatedAt: null,
    });
    await store.setPaused(db(), 'c1', true, 'ops', at);
    await store.setPaused(db(), 'c2', true, 'ops', at);
    expect(await store.pauseState(db(), 'c1')).toEqual({
      campaignId: 'c1',
      paused: true,
      pausedAt: at,
      pausedBy: 'ops',
      updatedAt: at,
    });
    expect(await store.pausedCampaigns(db())).toEqual(['c1', 'c2']);
    const later = new Date(at.getTime() + 60_000);
    await store.setPaused(db(), 'c1', false, 'ops', later);
    expect(await store.pauseState(db(), 'c1')).toMatchObject({
      paused: false,
      pausedAt: null,
      updatedAt: later,
    });
    expect(await store.pausedCampaigns(db())).toEqual(['c2']);
  });

  it('runs inside the transaction it is given', async () => {
    await expect(
      db().transaction(async (trx) => {
        await store.insert(trx, version('c1', 1));
        await store.activate(trx, 'c1', 1);
        expect((await store.active(trx, 'c1'))?.version).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.list(db(), 'c1')).toEqual([]);
  });
});
