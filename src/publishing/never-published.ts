/**
 * The 404 of a lifecycle verb or admin call for a campaign the ledger has no version of. A typo
 * (`pocket pause new-user-coupon-pak`) is the usual cause, so the message names the published campaign it is
 * closest to, as `pocket test` and `validate` do for the local files: "was never published" alone sent people
 * to publish a campaign that does not exist.
 */
import { didYouMean } from '../definitions/did-you-mean';
import { NotFoundError } from '../errors/app-error';
import type { Executor } from '../ledger/db';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';

export async function neverPublished(
  q: Executor,
  versions: Pick<CampaignVersionStore, 'activeHeads'>,
  campaignId: string,
): Promise<NotFoundError> {
  const published = (await versions.activeHeads(q)).map((head) => head.campaignId);
  return new NotFoundError(
    'campaign_not_found',
    `campaign "${campaignId}" was never published${didYouMean(campaignId, published)}`,
  );
}
