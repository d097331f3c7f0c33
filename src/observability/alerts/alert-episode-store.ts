import type { Executor } from '../../ledger/db';
import type { EpisodeState } from './alert-episode';

/** `campaignId` null: an alert about no campaign. */
export interface EpisodeKey {
  campaignId: string | null;
  alert: string;
}

export interface AlertEpisodeStore {
  /** Every stored state, keyed by `episodeKey`. */
  all(q: Executor): Promise<Map<string, EpisodeState>>;
  save(q: Executor, key: EpisodeKey, state: EpisodeState, at: Date): Promise<void>;
}

export function episodeKey(key: EpisodeKey): string {
  return `${key.campaignId ?? '*'}\u0000${key.alert}`;
}
