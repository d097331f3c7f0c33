import type { BeginResult } from './hot-state';
import { HOT_STATE_DEFAULTS } from './hot-state-defaults';

/** One attempt at `begin`: 'busy' when another request holds the user's lock. */
export type BeginAttempt = Exclude<BeginResult, 'user_busy'> | 'busy';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Repeats `attempt` while the user's lock is busy, sleeping 10-20 ms between tries (never busy-waiting), and
 * answers 'user_busy' once `waitMs` has passed.
 */
export async function retryWhileBusy(
  attempt: () => Promise<BeginAttempt>,
  waitMs: number,
): Promise<BeginResult> {
  const deadline = Date.now() + Math.max(0, waitMs);
  for (;;) {
    const result = await attempt();
    if (result !== 'busy') return result;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'user_busy';
    const pause = HOT_STATE_DEFAULTS.lockRetryMs + Math.floor(Math.random() * HOT_STATE_DEFAULTS.lockRetryMs);
    await sleep(Math.min(remaining, pause));
  }
}
