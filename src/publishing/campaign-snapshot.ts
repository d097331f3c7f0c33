/**
 * An immutable view of one active campaign version. A request pins the snapshot it starts with and keeps it
 * to the end, whatever a publish, rollback or pause does meanwhile (DESIGN.md pipeline: "pin the campaign
 * version snapshot for this request").
 */
import type { CampaignDefinition, RewardDefinition } from '../definitions/campaign-types';
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import type { ReserveLimits } from '../hot-state/hot-state';
import type { CompiledCampaign } from '../rules/compiled-campaign';

export interface CampaignSnapshot {
  readonly campaignId: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly definition: CampaignDefinition;
  readonly compiled: CompiledCampaign;
  readonly paused: boolean;
  readonly rewards: ReadonlyMap<string, RewardDefinition>;
  readonly testers: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

export function createSnapshot(
  version: number,
  resolved: ResolvedCampaign,
  compiled: CompiledCampaign,
  paused: boolean,
): CampaignSnapshot {
  const definition = resolved.definition;
  return Object.freeze({
    campaignId: definition.id,
    version,
    fingerprint: resolved.fingerprint,
    definition,
    compiled,
    paused,
    rewards: new Map(definition.rewards.map((r) => [r.id, r])),
    testers: new Map((definition.testers ?? []).map((t) => [t.userId, t.profile])),
  });
}

export function withPaused(snapshot: CampaignSnapshot, paused: boolean): CampaignSnapshot {
  return snapshot.paused === paused ? snapshot : Object.freeze({ ...snapshot, paused });
}

/** The limits a reserve enforces for one reward, from this snapshot (DESIGN.md: passed into the reserve). */
export function reserveLimits(snapshot: CampaignSnapshot, reward: RewardDefinition): ReserveLimits {
  const { budget, limits } = snapshot.definition;
  return {
    stock: reward.type !== 'none' && reward.stock !== undefined ? reward.stock : null,
    budgetTotal: budget?.total ?? null,
    budgetDaily: budget?.daily ?? null,
    perUserTotal: limits?.perUser?.total ?? null,
    perUserDaily: limits?.perUser?.daily ?? null,
  };
}
