/**
 * Pure: the budget and stock alerts a campaign's real use calls for. Each comes with an occurrence key naming
 * the limit it crossed, so it fires once per crossing (and again if a publish raises the limit and it is
 * crossed anew).
 */
import { paysForNothing } from '../decision/charge';
import type { CampaignDefinition } from '../definitions/campaign-types';
import type { Alert } from '../integrations/alert-service';
import type { CampaignUsage } from '../ledger/grant-store';
import { toMinorUnits } from '../shared/minor-units';

const THRESHOLDS = [
  [50, 'budget.50pct'],
  [80, 'budget.80pct'],
  [100, 'budget.100pct'],
] as const;

/**
 * spent / limit ≥ pct %, exactly: in floating point `spent * 100` and `limit * pct` round above 2^53 (a budget of
 * 9×10^13 minor units and more), and 80% fired one minor unit early. Amounts are integers (minor units).
 */
function reached(spent: bigint, limit: number, pct: number): boolean {
  return spent * 100n >= BigInt(limit) * BigInt(pct);
}

function budgetAlerts(definition: CampaignDefinition, scope: string, spent: bigint, limit: number): Alert[] {
  // What is left is below the limit, a safe integer; what was spent need not be (a budget forced below it).
  const left = spent < BigInt(limit) ? limit - Number(spent) : 0;
  const usedUp = left > 0 && paysForNothing(definition.rewards, left);
  return THRESHOLDS.filter(([pct]) => reached(spent, limit, pct) || (pct === 100 && usedUp)).map(
    ([pct, event]) => ({
      event,
      campaignId: definition.id,
      occurrence: `${scope}/${limit}`,
      details: {
        scope,
        spent: toMinorUnits(spent),
        limit,
        threshold: pct,
        ...(pct === 100 && usedUp ? { left } : {}),
      },
    }),
  );
}

export function usageAlerts(definition: CampaignDefinition, usage: CampaignUsage): Alert[] {
  const alerts: Alert[] = [];
  const { budget } = definition;
  if (budget?.total !== undefined && budget.total > 0) {
    alerts.push(...budgetAlerts(definition, 'total', usage.spent, budget.total));
  }
  if (budget?.daily !== undefined && budget.daily > 0) {
    for (const [date, spent] of Object.entries(usage.dailySpent).sort()) {
      alerts.push(...budgetAlerts(definition, `daily:${date}`, spent, budget.daily));
    }
  }
  for (const reward of definition.rewards) {
    if (reward.type === 'none' || reward.stock === undefined) continue;
    const used = usage.stockUsed[reward.id] ?? 0;
    if (used >= reward.stock) {
      alerts.push({
        event: 'stock.exhausted',
        campaignId: definition.id,
        occurrence: `reward:${reward.id}/${reward.stock}`,
        details: { rewardId: reward.id, used, stock: reward.stock },
      });
    }
  }
  return alerts;
}
