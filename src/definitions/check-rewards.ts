import type { CampaignDefinition, RewardDefinition } from './campaign-types';
import { describeValue } from './describe-value';
import { error, Finding, warning } from './finding';
import type { DocPath } from './finding';
import { duplicateIdFindings } from './first-occurrences';

function isMinorUnits(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function moneyFinding(path: DocPath, value: unknown): Finding[] {
  return value === undefined || isMinorUnits(value)
    ? []
    : [error(path, `must be an integer number of minor units (got ${describeValue(value)})`)];
}

/** What one grant of the reward can charge to the budget at most: amount.max for red packets, else cost. */
export function maximumCharge(reward: RewardDefinition): number {
  if (reward.type === 'red_packet') return reward.amount.max;
  if (reward.type === 'none') return 0;
  return reward.cost;
}

function checkReward(reward: RewardDefinition, index: number, budgetTotal: number | undefined): Finding[] {
  const at = ['rewards', index];
  const findings: Finding[] = [];
  if (reward.type === 'red_packet') {
    findings.push(...moneyFinding([...at, 'amount', 'min'], reward.amount.min));
    findings.push(...moneyFinding([...at, 'amount', 'max'], reward.amount.max));
    if (reward.amount.min > reward.amount.max) {
      const { min, max } = reward.amount;
      findings.push(error([...at, 'amount'], `min (${min}) must not be greater than max (${max})`));
    }
  } else if (reward.type !== 'none') {
    for (const key of ['value', 'minSpend', 'cost'] as const)
      findings.push(...moneyFinding([...at, key], reward[key]));
  }
  if (reward.type !== 'none' && reward.stock !== undefined && budgetTotal !== undefined) {
    const charge = maximumCharge(reward);
    const worst = reward.stock * charge;
    if (worst > budgetTotal) {
      const detail = `stock × maximum charge (${reward.stock} × ${charge} = ${worst}) is above budget.total (${budgetTotal})`;
      findings.push(warning([...at, 'stock'], `${detail}: the budget can run out before the stock`));
    }
  }
  return findings;
}

/**
 * Reward checks: unique ids, money as integer minor units (also in the budget), amount.min ≤ amount.max,
 * and a warning when a reward's stock could spend more than the total budget.
 */
export function checkRewards(campaign: CampaignDefinition): Finding[] {
  const budget = campaign.budget;
  const findings = [
    ...moneyFinding(['budget', 'total'], budget?.total),
    ...moneyFinding(['budget', 'daily'], budget?.daily),
    ...duplicateIdFindings(
      'reward id',
      campaign.rewards.map((r, i) => ({ id: r.id, path: ['rewards', i, 'id'] })),
    ),
  ];
  campaign.rewards.forEach((reward, i) => findings.push(...checkReward(reward, i, budget?.total)));
  return findings;
}
