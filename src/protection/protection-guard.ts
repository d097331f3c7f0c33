/** The real ParticipationGuard: rate limits, activity codes and the anti-fraud screen. */
import type { ParticipationRequest } from '../participation/participation-request';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import type { Facts } from '../rules/facts';
import type { ActivityCodeGate } from './activity-code-gate';
import type { FraudScreen } from './fraud-screen';
import type { Authorization, FraudVerdict, ParticipationGuard } from './participation-guard';
import type { ParticipationRateLimiter } from './participation-rate-limiter';
import { rateLimitedIp } from '../shared/ip-address';
import { rateChecks } from './rate-checks';

export class ProtectionGuard implements ParticipationGuard {
  constructor(
    private readonly parts: {
      limiter: Pick<ParticipationRateLimiter, 'check'>;
      codes: Pick<ActivityCodeGate, 'authorize'>;
      fraud: Pick<FraudScreen, 'screen'>;
    },
  ) {}

  rateLimit(snapshot: CampaignSnapshot, request: ParticipationRequest): Promise<void> {
    const { narrow, campaign } = rateChecks(snapshot.definition.protection?.rateLimit, {
      userId: request.userId,
      deviceId: request.context.deviceId,
      ip: request.ip === '' ? '' : rateLimitedIp(request.ip),
      credentialsAccepted: request.clientRefusal === undefined,
    });
    if (narrow.length === 0 && !campaign) return Promise.resolve();
    return this.parts.limiter.check(snapshot.campaignId, narrow, campaign);
  }

  authorize(snapshot: CampaignSnapshot, request: ParticipationRequest): Promise<Authorization> {
    return this.parts.codes.authorize(snapshot, request);
  }

  screen(snapshot: CampaignSnapshot, request: ParticipationRequest, facts: Facts): Promise<FraudVerdict> {
    return this.parts.fraud.screen(snapshot, request, facts);
  }
}
