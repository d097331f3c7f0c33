/**
 * The terms a coupon or voucher issuer needs besides its face value: `minSpend` and `validDays`, as the grant's
 * campaign version defines its reward. Versions never change, so each one is read from the ledger once.
 */
import { resolvedFromCanonical } from '../definitions/resolve-campaign';
import type { Executor } from '../ledger/db';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';

export interface CouponTerms {
  /** Minimum order amount in minor units. */
  minSpend?: number;
  /** Days the coupon stays valid after the grant. */
  validDays?: number;
}

/** Pure: each coupon's and voucher's terms in a version's canonical body, by reward id (only those it sets). */
export function couponTermsOf(canonical: string): Map<string, CouponTerms> {
  const terms = new Map<string, CouponTerms>();
  for (const reward of resolvedFromCanonical(canonical).definition.rewards) {
    if (reward.type !== 'coupon' && reward.type !== 'voucher') continue;
    terms.set(reward.id, {
      ...(reward.minSpend === undefined ? {} : { minSpend: reward.minSpend }),
      ...(reward.validDays === undefined ? {} : { validDays: reward.validDays }),
    });
  }
  return terms;
}

/** Enough for every version a relay meets in a while; the oldest is dropped past it. */
const CACHED_VERSIONS = 256;

export class RewardTerms {
  private readonly cache = new Map<string, Map<string, CouponTerms>>();

  constructor(
    private readonly db: Executor,
    private readonly versions: Pick<CampaignVersionStore, 'get'>,
  ) {}

  /** The grant's reward's terms; none for a red packet, or when its version is not in the ledger. */
  async of(grant: {
    campaignId: string;
    campaignVersion: number;
    rewardId: string;
    rewardType: string;
  }): Promise<CouponTerms> {
    if (grant.rewardType !== 'coupon' && grant.rewardType !== 'voucher') return {};
    const key = `${grant.campaignId}\u0000${grant.campaignVersion}`;
    let terms = this.cache.get(key);
    if (terms === undefined) {
      const version = await this.versions.get(this.db, grant.campaignId, grant.campaignVersion);
      if (version === null) return {};
      terms = couponTermsOf(version.body);
      if (this.cache.size >= CACHED_VERSIONS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, terms);
    }
    return terms.get(grant.rewardId) ?? {};
  }
}
