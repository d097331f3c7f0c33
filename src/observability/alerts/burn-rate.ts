/**
 * Pure: budget burn rate. At the pace of the recent lookback, when does the budget run out, and is that before
 * the period ends (the window for the total budget, the business day for the daily one)? Fires when the
 * projected exhaustion comes before the end; recovers once it comes at least `recoverMargin` of the time left
 * after the end (or the period is over). An exhausted budget with time left keeps firing, and so does one whose
 * remainder pays for no grant (`usedUp`).
 */
import type { AlertLevel } from './alert-level';

export interface BurnRateInput {
  limit: number;
  spent: number;
  /** Spend within [lookbackStart, now). */
  recentSpend: number;
  lookbackStart: Date;
  now: Date;
  /** When the period (window or business day) ends. */
  end: Date;
  /** What is left pays for no grant (paysForNothing): the budget is used up, as when nothing is left. */
  usedUp?: boolean;
}

export interface BurnRateSettings {
  /** The pace is judged on at least this much history (ms); less is `hold`. */
  minLookbackMs: number;
  /** Recover only when exhaustion is projected this fraction of the time left past the end (0.1 = 10%). */
  recoverMargin: number;
}

export const DEFAULT_BURN_RATE: BurnRateSettings = { minLookbackMs: 5 * 60_000, recoverMargin: 0.1 };

export interface BurnRate {
  level: AlertLevel;
  remaining: number;
  /** Minor units per hour at the recent pace. */
  perHour: number;
  /** When the budget runs out at that pace; null when nothing is being spent. */
  exhaustsAt: Date | null;
}

export function burnRate(input: BurnRateInput, settings: BurnRateSettings = DEFAULT_BURN_RATE): BurnRate {
  const remaining = Math.max(0, input.limit - input.spent);
  const now = input.now.getTime();
  const end = input.end.getTime();
  const lookbackMs = now - input.lookbackStart.getTime();
  const perMs = lookbackMs > 0 ? input.recentSpend / lookbackMs : 0;
  const perHour = Math.round(perMs * 3_600_000);
  const usedUp = remaining === 0 || input.usedUp === true;
  const exhaustsAt = usedUp ? input.now : perMs > 0 ? new Date(now + remaining / perMs) : null;
  if (now >= end) return { level: 'ok', remaining, perHour, exhaustsAt };
  if (usedUp) return { level: 'firing', remaining, perHour, exhaustsAt };
  if (lookbackMs < settings.minLookbackMs) return { level: 'hold', remaining, perHour, exhaustsAt };
  if (exhaustsAt === null) return { level: 'ok', remaining, perHour, exhaustsAt };
  const at = exhaustsAt.getTime();
  if (at < end) return { level: 'firing', remaining, perHour, exhaustsAt };
  const level = at >= end + settings.recoverMargin * (end - now) ? 'ok' : 'hold';
  return { level, remaining, perHour, exhaustsAt };
}
