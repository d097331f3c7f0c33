import { AppError } from '../errors/app-error';
import type { ActivationIssue } from './activation-checks';

export interface CampaignRefusal extends ActivationIssue {
  campaignId: string;
}

/** A publish or rollback refused by the activation checks (409); nothing was written. */
export class ActivationRefusedError extends AppError {
  constructor(readonly refusals: readonly CampaignRefusal[]) {
    const forceable = refusals.every((r) => r.forceable);
    super(
      409,
      'activation_refused',
      `refused: ${refusals.map((r) => `${r.campaignId}: ${r.message}`).join('; ')}${forceable ? ' (--force accepts this)' : ''}`,
      { refusals },
    );
  }
}
