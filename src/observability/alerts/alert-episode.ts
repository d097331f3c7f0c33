/**
 * Pure: the episode state machine behind "fires once per episode and sends a recovery". A condition that starts
 * firing opens episode n+1 (one alert); while it keeps firing or holds, nothing is sent; once it is ok again the
 * episode closes (one recovery). Episodes are numbered per alert key, so each alert and its recovery have an
 * occurrence of their own.
 */
import type { AlertLevel } from './alert-level';

export interface EpisodeState {
  firing: boolean;
  /** The last episode opened (0: never). */
  episode: number;
  /** When the current state began. */
  since: Date;
  /** What the last episode fired about (e.g. the stock limit), for occurrence keys. */
  subject: string | null;
}

export type EpisodeTransition = 'fired' | 'recovered' | null;

export function nextEpisode(
  state: EpisodeState | null,
  level: AlertLevel,
  now: Date,
  subject: string | null = null,
): { state: EpisodeState; transition: EpisodeTransition } {
  const current = state ?? { firing: false, episode: 0, since: now, subject: null };
  if (level === 'firing' && !current.firing) {
    return {
      state: { firing: true, episode: current.episode + 1, since: now, subject },
      transition: 'fired',
    };
  }
  if (level === 'ok' && current.firing) {
    return { state: { ...current, firing: false, since: now }, transition: 'recovered' };
  }
  return { state: current, transition: null };
}
