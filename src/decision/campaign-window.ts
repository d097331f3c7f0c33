import type { CampaignDefinition } from '../definitions/campaign-types';

/** A campaign window in epoch ms: `start` inclusive, `end` exclusive. */
export interface WindowBounds {
  start: number;
  end: number;
}

const parsed = new WeakMap<CampaignDefinition['window'], WindowBounds>();

/** The campaign's window as epoch ms, parsed once per definition object. */
export function campaignWindow(campaign: Pick<CampaignDefinition, 'window'>): WindowBounds {
  let bounds = parsed.get(campaign.window);
  if (!bounds) {
    bounds = { start: Date.parse(campaign.window.start), end: Date.parse(campaign.window.end) };
    if (Number.isNaN(bounds.start) || Number.isNaN(bounds.end)) {
      throw new RangeError(`invalid campaign window: ${campaign.window.start} .. ${campaign.window.end}`);
    }
    parsed.set(campaign.window, bounds);
  }
  return bounds;
}
