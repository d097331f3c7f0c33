/**
 * The "activity code" half of the pipeline's client-auth step: campaigns with `entry.activityCode: signed`
 * need a valid, unexpired, unused code. A code already consumed in the ledger is refused here (before the
 * per-user lock); two parallel requests with one code both pass here, and the ledger's
 * `unique (campaign_id, code_nonce)` lets exactly one of them record its outcome (the other gets code_used).
 */
import { AppError, DependencyUnavailableError, ForbiddenError } from '../errors/app-error';
import type { ParticipationRequest } from '../participation/participation-request';
import type { CampaignSnapshot } from '../publishing/campaign-snapshot';
import { verifyActivityCode } from './activity-code';
import type { Authorization } from './participation-guard';

export interface ActivityCodeGateDeps {
  /** ACTIVITY_CODE_SECRET, then ACTIVITY_CODE_SECRET_PREVIOUS while it is set. */
  secrets: readonly string[];
  isUsed(campaignId: string, nonce: string): Promise<boolean>;
  clock: () => Date;
}

const MESSAGES = {
  code_missing: 'this campaign needs an activity code',
  code_invalid: 'the activity code is not valid for this campaign',
  code_expired: 'the activity code has expired',
  code_used: 'this activity code has already been used',
} as const;

function refuse(reason: keyof typeof MESSAGES): ForbiddenError {
  return new ForbiddenError(reason, MESSAGES[reason]);
}

export class ActivityCodeGate {
  constructor(private readonly deps: ActivityCodeGateDeps) {}

  async authorize(snapshot: CampaignSnapshot, request: ParticipationRequest): Promise<Authorization> {
    if (snapshot.definition.entry.activityCode !== 'signed') return { codeNonce: null };
    if (request.activityCode === undefined) throw refuse('code_missing');
    const check = verifyActivityCode(this.deps.secrets, request.activityCode, {
      campaignId: snapshot.campaignId,
      userId: request.userId,
      now: this.deps.clock(),
    });
    if (!check.ok) throw refuse(check.reason);
    let used: boolean;
    try {
      used = await this.deps.isUsed(snapshot.campaignId, check.claims.nonce);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new DependencyUnavailableError('ledger');
    }
    if (used) throw refuse('code_used');
    return { codeNonce: check.claims.nonce };
  }
}
