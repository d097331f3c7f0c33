import type { CampaignVersionRecord } from '../../../src/ledger/campaign-version-store';
import type { Db } from '../../../src/ledger/db';
import { ledgerVersionSource } from '../../../src/publishing/ledger-version-source';

function record(campaignId: string, version: number): CampaignVersionRecord {
  return {
    campaignId,
    version,
    fingerprint: `fp-${campaignId}-${version}`,
    body: `{"body":"${campaignId} v${version}"}`,
    active: true,
    createdAt: new Date(0),
    author: null,
    gitCommit: null,
    note: null,
  };
}

describe('ledgerVersionSource', () => {
  it('polls heads only and reads each version body once', async () => {
    let active = [record('a', 1), record('b', 1)];
    const bodyReads: string[] = [];
    const source = ledgerVersionSource({} as Db, {
      activeHeads: () =>
        Promise.resolve(
          active.map(({ campaignId, version, fingerprint }) => ({ campaignId, version, fingerprint })),
        ),
      get: (_q, campaignId, version) => {
        bodyReads.push(`${campaignId}@${version}`);
        return Promise.resolve(
          active.find((v) => v.campaignId === campaignId && v.version === version) ?? null,
        );
      },
      pausedCampaigns: () => Promise.resolve(['b']),
    });
    const first = await source.activeVersions();
    expect(first.map((r) => [r.campaignId, r.version, r.body])).toEqual([
      ['a', 1, '{"body":"a v1"}'],
      ['b', 1, '{"body":"b v1"}'],
    ]);
    await source.activeVersions();
    expect(bodyReads).toEqual(['a@1', 'b@1']);

    active = [record('a', 2)];
    expect((await source.activeVersions()).map((r) => [r.campaignId, r.version])).toEqual([['a', 2]]);
    expect(bodyReads).toEqual(['a@1', 'b@1', 'a@2']);
    expect(await source.pausedCampaigns()).toEqual(['b']);
  });

  it('skips a head whose version vanished between the two reads (the next poll sees the new head)', async () => {
    const source = ledgerVersionSource({} as Db, {
      activeHeads: () => Promise.resolve([{ campaignId: 'a', version: 3, fingerprint: 'x' }]),
      get: () => Promise.resolve(null),
      pausedCampaigns: () => Promise.resolve([]),
    });
    expect(await source.activeVersions()).toEqual([]);
  });
});
