/**
 * Pure: a spike of server errors (5xx other than 503) or of 503s (dependencies down, counters rebuilding) among
 * the requests of the last few minutes. Fires at `fireRatio` of the requests once there are at least
 * `minRequests`; recovers below `recoverRatio` (or when traffic is too thin to say anything, with none of them).
 */
import type { AlertLevel } from './alert-level';

export interface RequestCounts {
  total: number;
  /** 5xx other than 503. */
  errors: number;
  /** 503. */
  unavailable: number;
}

export interface SpikeSettings {
  windowMinutes: number;
  minRequests: number;
  fireRatio: number;
  recoverRatio: number;
}

export const DEFAULT_SPIKE: SpikeSettings = {
  windowMinutes: 5,
  minRequests: 20,
  fireRatio: 0.05,
  recoverRatio: 0.01,
};

export function spikeLevel(bad: number, total: number, settings: SpikeSettings = DEFAULT_SPIKE): AlertLevel {
  if (total < settings.minRequests) return bad === 0 ? 'ok' : 'hold';
  const ratio = bad / total;
  if (ratio >= settings.fireRatio) return 'firing';
  return ratio < settings.recoverRatio ? 'ok' : 'hold';
}
