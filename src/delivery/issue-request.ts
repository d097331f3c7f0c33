import type { IssueRequest } from '../integrations/issuer';
import type { GrantRecord } from '../ledger/grant-store';
import type { CouponTerms } from './reward-terms';

/** The body an issuer receives for a grant (issuer.ts protocol); a coupon's or voucher's terms when it sets them. */
export function issueRequest(grant: GrantRecord, terms: CouponTerms = {}): IssueRequest {
  return {
    grantId: grant.id,
    campaignId: grant.campaignId,
    userId: grant.userId,
    rewardId: grant.rewardId,
    type: grant.rewardType,
    amount: grant.amount,
    currency: grant.currency,
    businessDate: grant.businessDate,
    grantedAt: grant.createdAt.toISOString(),
    ...terms,
    test: grant.test,
  };
}
