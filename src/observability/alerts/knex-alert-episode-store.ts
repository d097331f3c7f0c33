import type { Executor } from '../../ledger/db';
import { toBool, toDate, toNullableString, toNumber } from '../../ledger/row-values';
import type { EpisodeState } from './alert-episode';
import { episodeKey, type AlertEpisodeStore, type EpisodeKey } from './alert-episode-store';

type Row = Record<string, unknown>;
const NO_CAMPAIGN = '*';

export class KnexAlertEpisodeStore implements AlertEpisodeStore {
  async all(q: Executor): Promise<Map<string, EpisodeState>> {
    const rows = (await q('alert_episodes').select()) as Row[];
    return new Map(
      rows.map((r) => {
        const campaignId = String(r.campaign_id);
        return [
          episodeKey({ campaignId: campaignId === NO_CAMPAIGN ? null : campaignId, alert: String(r.alert) }),
          {
            firing: toBool(r.firing),
            episode: toNumber(r.episode),
            since: toDate(r.since),
            subject: toNullableString(r.subject),
          },
        ];
      }),
    );
  }

  async save(q: Executor, key: EpisodeKey, state: EpisodeState, at: Date): Promise<void> {
    const row = {
      campaign_id: key.campaignId ?? NO_CAMPAIGN,
      alert: key.alert,
      firing: state.firing,
      episode: state.episode,
      since: state.since,
      subject: state.subject,
      updated_at: at,
    };
    await q('alert_episodes').insert(row).onConflict(['campaign_id', 'alert']).merge();
  }
}
