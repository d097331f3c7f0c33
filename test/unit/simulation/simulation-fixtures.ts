import { join } from 'node:path';
import type {
  CampaignDefinition,
  CouponReward,
  RedPacketReward,
  RuleDefinition,
} from '../../../src/definitions/campaign-types';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { resolveCampaign, type ResolvedCampaign } from '../../../src/definitions/resolve-campaign';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import type { CompiledCampaign } from '../../../src/rules/compiled-campaign';
import type { SimulatedUser } from '../../../src/simulation/evaluate-participant';

const REPO_ROOT = join(__dirname, '../../..');

export const redPacket = (id: string, min: number, max: number, stock?: number): RedPacketReward => ({
  id,
  type: 'red_packet',
  amount: { min, max },
  ...(stock === undefined ? {} : { stock }),
});

export const coupon = (id: string, cost: number, stock?: number): CouponReward => ({
  id,
  type: 'coupon',
  value: cost * 3,
  cost,
  ...(stock === undefined ? {} : { stock }),
});

export const voucher = (id: string, cost: number, stock?: number): CouponReward => ({
  ...coupon(id, cost, stock),
  type: 'voucher',
});

export const THANKS = { id: 'thanks', type: 'none' } as const;

/** Rules the fixture campaigns reference by id. */
export const RULES: readonly RuleDefinition[] = [
  {
    id: 'new-user',
    conditions: { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 }] },
  },
  {
    id: 'vip',
    conditions: { all: [{ fact: 'profile', path: 'tags', operator: 'contains', value: 'vip' }] },
  },
  {
    id: 'first-visit',
    conditions: { all: [{ fact: 'history', path: 'participations', operator: 'equal', value: 0 }] },
  },
];

/**
 * A campaign over three business days in Asia/Shanghai (2026-11-20 00:00 .. 2026-11-23 00:00 +08:00) with
 * one catch-all segment giving `rp` (50..200), no limits and no budget unless overridden.
 */
export function campaign(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    id: 'sim-campaign',
    name: 'Simulation campaign',
    owner: 'tests',
    status: 'active',
    window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-23T00:00:00+08:00' },
    timezone: 'Asia/Shanghai',
    entry: { activityCode: 'none' },
    rewards: [redPacket('rp', 50, 200), THANKS],
    segments: [{ id: 'everyone', rewards: [{ reward: 'rp', weight: 1 }] }],
    decision: { strategy: 'weighted' },
    ...overrides,
  };
}

export function compiled(definition: CampaignDefinition): CompiledCampaign {
  return compileCampaign(resolveCampaign(definition, new Map(RULES.map((r) => [r.id, r]))));
}

export const user = (
  userId: string,
  profile: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): SimulatedUser => ({ userId, profile, context });

/** `n` distinct users with the same profile. */
export const crowd = (n: number, profile: Record<string, unknown> = {}): SimulatedUser[] =>
  Array.from({ length: n }, (_, i) => user(`u${i + 1}`, profile));

let repo: Promise<ResolvedCampaign[]> | undefined;

/** The repository's own campaigns (campaigns/, rules/), loaded and validated like the CLI does. */
export async function repoCampaign(id: string): Promise<ResolvedCampaign> {
  repo ??= loadResolvedCampaigns(REPO_ROOT).then((r) => r.resolved);
  const found = (await repo).find((r) => r.definition.id === id);
  if (!found) throw new Error(`no campaign ${id} in the repository`);
  return found;
}

export const REPO_CAMPAIGNS = ['double11-red-packet-rain', 'new-user-coupon-pack', 'city-voucher-drive'];
