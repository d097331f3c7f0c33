import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type {
  CampaignDefinition,
  CouponReward,
  RedPacketReward,
  SegmentDefinition,
} from '../../../src/definitions/campaign-types';
import { unlimitedAvailability, type Availability } from '../../../src/decision/availability';
import type { Random } from '../../../src/decision/random';

export const redPacket = (id: string, min: number, max: number, stock?: number): RedPacketReward => ({
  id,
  type: 'red_packet',
  amount: { min, max },
  ...(stock === undefined ? {} : { stock }),
});

export const coupon = (id: string, cost: number, value = cost * 3, stock?: number): CouponReward => ({
  id,
  type: 'coupon',
  value,
  cost,
  ...(stock === undefined ? {} : { stock }),
});

/** A one-segment campaign over 2026-11-20T00:00+08:00 .. 2026-11-30T00:00+08:00 (ten days), Asia/Shanghai. */
export function campaignWith(overrides: Partial<CampaignDefinition> = {}): CampaignDefinition {
  return {
    id: 'test-campaign',
    name: 'Test campaign',
    owner: 'tests',
    status: 'active',
    window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-30T00:00:00+08:00' },
    timezone: 'Asia/Shanghai',
    entry: { activityCode: 'none' },
    rewards: [redPacket('rp', 50, 200), coupon('c', 300), { id: 'thanks', type: 'none' }],
    segments: [{ id: 'everyone', rewards: [{ reward: 'rp', weight: 1 }] }],
    decision: { strategy: 'weighted' },
    ...overrides,
  };
}

export const segmentOf = (campaign: CampaignDefinition, index = 0): SegmentDefinition => {
  const segment = campaign.segments[index];
  if (!segment) throw new Error(`no segment ${index}`);
  return segment;
};

export const availabilityWith = (overrides: Partial<Availability> = {}): Availability => ({
  ...unlimitedAvailability(),
  ...overrides,
});

/** A generator replaying `values` (then repeating the last one), counting its calls. */
export function scriptedRandom(...values: number[]): Random & { calls: number } {
  const fn = Object.assign(
    () => {
      const v = values[Math.min(fn.calls, values.length - 1)] ?? 0;
      fn.calls++;
      return v;
    },
    { calls: 0 },
  );
  return fn;
}

/** One of the repository's example campaigns, parsed as plain YAML (the loader's checks are not needed here). */
export function exampleCampaign(id: string): CampaignDefinition {
  const file = join(__dirname, '../../../campaigns', `${id}.yaml`);
  return parse(readFileSync(file, 'utf8')) as CampaignDefinition;
}

export const at = (iso: string): Date => new Date(iso);
