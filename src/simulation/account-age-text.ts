/**
 * The account-age decision (`protection.velocity.minAccountAgeDays`) in words, for `pocket test` and
 * `pocket explain`: which profile field was read, what it held, and the minimum.
 */
import { describeValue } from '../definitions/describe-value';
import { ACCOUNT_AGE_FIELD, type AccountAgeDecision } from '../protection/fraud-decisions';

export function accountAgeText(
  decision: AccountAgeDecision,
  profile: Readonly<Record<string, unknown>>,
): string {
  const field = `profile.${ACCOUNT_AGE_FIELD}`;
  const min = `minAccountAgeDays ${decision.min}`;
  if (decision.result === 'pass') return `passed: ${field} ${decision.registeredDays} ≥ ${min}`;
  const why =
    decision.registeredDays !== null
      ? `${field} ${decision.registeredDays} < ${min}`
      : !Object.hasOwn(profile, ACCOUNT_AGE_FIELD) || profile[ACCOUNT_AGE_FIELD] == null
        ? `${field} is missing, and ${min} refuses an unknown account age`
        : `${field} ${describeValue(profile[ACCOUNT_AGE_FIELD])} is not a number of days ≥ 0, and ${min} refuses it`;
  return `refused (403 velocity): ${why}`;
}
