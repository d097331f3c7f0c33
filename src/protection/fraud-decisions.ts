/** Pure anti-fraud decisions: account age and the risk policy. */
import type { ProtectionDefinition } from '../definitions/campaign-types';

export interface AccountAgeDecision {
  result: 'pass' | 'deny';
  min: number;
  /** From the profile's `registeredDays`; null when missing or not a number (which is refused). */
  registeredDays: number | null;
}

/**
 * `minAccountAgeDays`: the profile's `registeredDays` must be at least the minimum. A profile without a
 * usable `registeredDays` is refused: a campaign that asks for an account age cannot take an unknown one on
 * trust (fail closed, like every other protection).
 */
export function accountAgeDecision(
  min: number,
  profile: Readonly<Record<string, unknown>>,
): AccountAgeDecision {
  const value = Object.hasOwn(profile, 'registeredDays') ? profile['registeredDays'] : undefined;
  const registeredDays = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
  return { result: registeredDays !== null && registeredDays >= min ? 'pass' : 'deny', min, registeredDays };
}

export type RiskPolicy = NonNullable<ProtectionDefinition['risk']>;
export type RiskAction = 'allow' | 'soft' | 'deny';

/** A score above `maxScore` gets the policy's action (deny or soft); at or below it, allow. */
export function riskAction(policy: RiskPolicy, score: number): RiskAction {
  return score > policy.maxScore ? policy.action : 'allow';
}
