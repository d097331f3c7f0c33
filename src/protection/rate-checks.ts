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
  /**
   * False when the request's credentials were refused (it will be answered 401/403 at client auth). Its user and
   * device ids are then claims nobody vouched for: charging them would let anyone use up another user's
   * allowance, and the campaign's shared allowance is for participations that can be served. Only its IP counts.
   */
  credentialsAccepted?: boolean;
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
  if (!rateLimit) return { narrow: [], campaign: null };
  const ip: RateCheck[] =
    rateLimit.perIp && subject.ip !== ''
      ? [{ dimension: 'ip', spec: parseRate(rateLimit.perIp), key: subject.ip }]
      : [];
  if (subject.credentialsAccepted === false) return { narrow: ip, campaign: null };
  const narrow: RateCheck[] = [];
  if (rateLimit.perUser)
    narrow.push({ dimension: 'user', spec: parseRate(rateLimit.perUser), key: subject.userId });
  if (rateLimit.perDevice && subject.deviceId) {
    narrow.push({ dimension: 'device', spec: parseRate(rateLimit.perDevice), key: subject.deviceId });
  }
  narrow.push(...ip);
  const campaign: RateCheck | null = rateLimit.campaign
    ? { dimension: 'campaign', spec: parseRate(rateLimit.campaign), key: 'all' }
    : null;
  return { narrow, campaign };
}
