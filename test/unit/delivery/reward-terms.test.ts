import { canonicalJson } from '../../../src/definitions/canonical-json';
import { RewardTerms } from '../../../src/delivery/reward-terms';
import type { CampaignVersionRecord } from '../../../src/ledger/campaign-version-store';

function version(v: number, minSpend: number): CampaignVersionRecord {
  const definition = {
    id: 'c',
    rewards: [
      { id: 'coupon', type: 'coupon', value: 1000, minSpend, cost: 300, validDays: v + 6 },
      { id: 'plain', type: 'voucher', value: 500, cost: 500 },
      { id: 'rp', type: 'red_packet', amount: { min: 1, max: 2 } },
    ],
  };
  return {
    campaignId: 'c',
    version: v,
    fingerprint: 'f',
    body: canonicalJson({ definition, rules: {} }),
    active: v === 2,
    createdAt: new Date(0),
    author: null,
    gitCommit: null,
    note: null,
  };
}

describe('reward terms', () => {
  const reads: number[] = [];
  const terms = new RewardTerms({} as never, {
    get: (_db, _campaign, v) => {
      reads.push(v);
      return Promise.resolve(v <= 2 ? version(v, v * 1000) : null);
    },
  });
  const grant = (rewardId: string, campaignVersion: number, rewardType = 'coupon') => ({
    campaignId: 'c',
    campaignVersion,
    rewardId,
    rewardType,
  });

  it("gives a coupon the terms of its grant's version, reading each version once", async () => {
    expect(await terms.of(grant('coupon', 1))).toEqual({ minSpend: 1000, validDays: 7 });
    expect(await terms.of(grant('coupon', 2))).toEqual({ minSpend: 2000, validDays: 8 });
    expect(await terms.of(grant('coupon', 1))).toEqual({ minSpend: 1000, validDays: 7 });
    expect(await terms.of(grant('plain', 1, 'voucher'))).toEqual({});
    expect(reads).toEqual([1, 2]);
  });

  it('gives none to a red packet (without reading) or to a grant whose version is not in the ledger', async () => {
    reads.length = 0;
    expect(await terms.of(grant('rp', 5, 'red_packet'))).toEqual({});
    expect(reads).toEqual([]);
    expect(await terms.of(grant('coupon', 3))).toEqual({});
  });
});
