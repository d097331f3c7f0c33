/** What a campaign id looks like on the wire (schemas/campaign.schema.json: kebab-case, at most 64 characters). */
import type { FieldError } from '../errors/app-error';

const CAMPAIGN_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function isCampaignId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && CAMPAIGN_ID.test(value);
}

/** Adds the field error of a value that cannot be a campaign id. */
export function checkCampaignId(value: unknown, path: string, fields: FieldError[]): void {
  if (isCampaignId(value)) return;
  // A kebab-case id that is only too long was told it is not kebab-case, which its reader could not act on.
  const tooLong = typeof value === 'string' && value.length > 64 && CAMPAIGN_ID.test(value);
  const message = tooLong
    ? 'must be at most 64 characters (a campaign id is kebab-case, 1-64 characters)'
    : 'must be a kebab-case campaign id';
  fields.push({ path, message });
}
