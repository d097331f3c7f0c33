import { rewardById } from '../../../src/decision/reward-by-id';
import { campaignWith } from './decision-fixtures';

describe('rewardById', () => {
  it('finds a reward by id and throws on an id the loader should have refused', () => {
    const campaign = campaignWith();
    expect(rewardById(campaign, 'c').type).toBe('coupon');
    expect(() => rewardById(campaign, 'ghost')).toThrow('campaign test-campaign has no reward ghost');
  });
});
