import type { IssueRequest } from '../integrations/issuer';
import type { GrantRecord } from '../ledger/grant-store';

/** The body an issuer receives for a grant (issuer.ts protocol). */
export function issueRequest(grant: GrantRecord): IssueRequest {
  return {
    grantId: grant.id,
    campaignId: grant.campaignId,
    userId: grant.userId,
    rewardId: grant.rewardId,
    type: grant.rewardType,
    amount: grant.amount,
    currency: grant.currency,
    businessDate: grant.businessDate,
    test: grant.test,
  };
}
