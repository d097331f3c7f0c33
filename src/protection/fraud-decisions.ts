/** Pure anti-fraud decisions: account age and the risk policy. */
import type { ProtectionDefinition } from '../definitions/campaign-types';

/** The profile field `minAccountAgeDays` reads. */
export const ACCOUNT_AGE_FIELD = 'registeredDays';

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
  const value = Object.hasOwn(profile, ACCOUNT_AGE_FIELD) ? profile[ACCOUNT_AGE_FIELD] : undefined;
  const registeredDays = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
  return { result: registeredDays !== null && registeredDays >= min ? 'pass' : 'deny', min, registeredDays };
}

/**
 * The profile-only part of the velocity screen, for a campaign's `protection`: the account-age decision, or
 * null when the campaign sets no `minAccountAgeDays` above 0 (the check is off). The service's anti-fraud
 * step and the offline simulators (`test`, `explain`, `dry-run`) both decide through here.
 */
export function accountAgeCheck(
  protection: ProtectionDefinition | undefined,
  profile: Readonly<Record<string, unknown>>,
): AccountAgeDecision | null {
  const min = protection?.velocity?.minAccountAgeDays ?? 0;
  return min > 0 ? accountAgeDecision(min, profile) : null;
}

export type RiskPolicy = NonNullable<ProtectionDefinition['risk']>;
export type RiskAction = 'allow' | 'soft' | 'deny';

/** A score above `maxScore` gets the policy's action (deny or soft); at or below it, allow. */
export function riskAction(policy: RiskPolicy, score: number): RiskAction {
  return score > policy.maxScore ? policy.action : 'allow';
}
