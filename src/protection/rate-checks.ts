/** Which rate limits a participation consumes, from the campaign's `protection.rateLimit` (pure). */
import type { ProtectionDefinition } from '../definitions/campaign-types';
import { parseRate, type RateSpec } from './rate-spec';

export type RateDimension = 'user' | 'device' | 'ip' | 'campaign';

export interface RateCheck {
  dimension: RateDimension;
  spec: RateSpec;
  /** The counted subject: user id, device id, IP, or the campaign itself. */
  key: string;
}

export interface RateSubject {
  userId: string;
  deviceId?: string | undefined;
  ip: string;
}

/**
 * The narrow limits (user, device, IP) come first and the campaign-wide one last: a request refused for its
 * own user or IP must not eat the campaign's shared allowance. A request without a device id skips the
 * device limit (the per-user and per-IP limits still apply).
 */
export function rateChecks(
  rateLimit: ProtectionDefinition['rateLimit'],
  subject: RateSubject,
): { narrow: RateCheck[]; campaign: RateCheck | null } {
  const narrow: RateCheck[] = [];
  if (!rateLimit) return { narrow, campaign: null };
  if (rateLimit.perUser)
    narrow.push({ dimension: 'user', spec: parseRate(rateLimit.perUser), key: subject.userId });
  if (rateLimit.perDevice && subject.deviceId) {
    narrow.push({ dimension: 'device', spec: parseRate(rateLimit.perDevice), key: subject.deviceId });
  }
  if (rateLimit.perIp && subject.ip !== '') {
    narrow.push({ dimension: 'ip', spec: parseRate(rateLimit.perIp), key: subject.ip });
  }
  const campaign: RateCheck | null = rateLimit.campaign
    ? { dimension: 'campaign', spec: parseRate(rateLimit.campaign), key: 'all' }
    : null;
  return { narrow, campaign };
}
