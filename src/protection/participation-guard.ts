/**
 * The protection steps of the participation pipeline, in DESIGN.md order: rate limits → client auth and
 * activity code → (lock, facts) → anti-fraud. Each step throws an AppError (429, 401, 403, 503) or returns.
 */
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { ParticipationRequest } from '../participation/participation-request';
import type { Facts } from '../rules/facts';
import type { ForbiddenReason } from '../participation/outcomes';

export interface Authorization {
  /** The activity code's nonce, consumed together with the participation's outcome. */
  codeNonce: string | null;
}

export type FraudVerdict =
  | { action: 'allow'; decisions: Record<string, unknown> }
  /** Give the fallback reward instead of refusing (risk `action: soft`). */
  | { action: 'soft'; reason: ForbiddenReason; decisions: Record<string, unknown> }
  | { action: 'deny'; reason: ForbiddenReason; decisions: Record<string, unknown> };

export interface ParticipationGuard {
  rateLimit(snapshot: CampaignSnapshot, request: ParticipationRequest): Promise<void>;
  authorize(snapshot: CampaignSnapshot, request: ParticipationRequest): Promise<Authorization>;
  screen(snapshot: CampaignSnapshot, request: ParticipationRequest, facts: Facts): Promise<FraudVerdict>;
}
