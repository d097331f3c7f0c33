/**
 * Why a simulated participation was refused before its segments were matched, in words, for `pocket explain`
 * and `pocket test`: the channel against `entry.channels`, the time against the window or the status. The
 * outcome alone (`channel_not_allowed`, `ended`) left the operator to guess which setting refused it, where the
 * account age already said what it read (account-age-text.ts).
 */
import type { CampaignDefinition } from '../definitions/campaign-types';
import { localTime } from '../shared/local-time';

/** `[what was checked, why it refused]`, or undefined for an outcome decided otherwise. */
export function refusalText(
  campaign: Pick<CampaignDefinition, 'status' | 'window' | 'entry' | 'timezone'>,
  outcome: string,
  context: Readonly<Record<string, unknown>>,
  at: Date,
): [string, string] | undefined {
  // On the campaign's clock, as its window is written and as explain shows the time.
  const when = localTime(at.toISOString(), campaign.timezone);
  if (outcome === 'channel_not_allowed') {
    const allowed = campaign.entry.channels ?? [];
    if (allowed.length === 0) return ['channel', 'refused: entry.channels is empty, which refuses everyone'];
    const list = allowed.join(', ');
    const channel = context['channel'];
    return [
      'channel',
      channel === undefined
        ? `refused: context.channel is missing (entry.channels: ${list}); give one, e.g. {"channel":"${allowed[0]}"}`
        : `refused: ${JSON.stringify(channel)} is not in entry.channels (${list})`,
    ];
  }
  if (outcome === 'ended') {
    return [
      'window',
      campaign.status === 'ended'
        ? 'refused: status is ended'
        : `refused: it ends at ${campaign.window.end} (exclusive), and ${when} is not before it`,
    ];
  }
  if (outcome === 'not_started') {
    return [
      'window',
      campaign.status === 'draft'
        ? 'refused: status is draft, which is served to testers only'
        : `refused: it starts at ${campaign.window.start}, after ${when}`,
    ];
  }
  return undefined;
}
