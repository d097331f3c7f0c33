import type { CampaignDefinition, RewardDefinition } from '../definitions/campaign-types';

const indexes = new WeakMap<readonly RewardDefinition[], ReadonlyMap<string, RewardDefinition>>();

/** The campaign's reward with this id (indexed once per definition). Throws on an id the loader should have refused. */
export function rewardById(
  campaign: Pick<CampaignDefinition, 'id' | 'rewards'>,
  id: string,
): RewardDefinition {
  let index = indexes.get(campaign.rewards);
  if (!index) {
    index = new Map(campaign.rewards.map((r) => [r.id, r]));
    indexes.set(campaign.rewards, index);
  }
  const reward = index.get(id);
  if (!reward) throw new Error(`campaign ${campaign.id} has no reward ${id}`);
  return reward;
}
