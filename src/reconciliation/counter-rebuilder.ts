/**
 * Rebuilds a campaign's hot counters from the ledger when the hot state reports `uninitialized` (a Redis
 * restart or eviction). The service answers 503 meanwhile and does this by itself; one rebuild per campaign
 * at a time in this process, and `initialize` is write-once in the hot state across instances.
 */
import type { CampaignCounters, HotState } from '../hot-state/hot-state';
import { mergeCounters } from './merge-counters';

export interface CounterSource {
  campaignCounters(campaignId: string): Promise<CampaignCounters>;
}

export class CounterRebuilder {
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(
    private readonly hotState: HotState,
    private readonly ledger: CounterSource,
    private readonly onError: (campaignId: string, error: unknown) => void = () => {},
  ) {}

  /** Rebuilds if uninitialized; resolves true when counters are in place. Never rejects. */
  ensure(campaignId: string): Promise<boolean> {
    let run = this.running.get(campaignId);
    if (!run) {
      run = this.rebuild(campaignId, false).finally(() => this.running.delete(campaignId));
      this.running.set(campaignId, run);
    }
    return run;
  }

  /** Starts a rebuild in the background (the request that noticed answers 503 right away). */
  kick(campaignId: string): void {
    void this.ensure(campaignId);
  }

  /** Rewrites the counters from the ledger + live reservations even when present (reconciliation repair). */
  async rebuild(campaignId: string, force: boolean): Promise<boolean> {
    try {
      if (!force && (await this.hotState.readCounters(campaignId)) !== null) return true;
      const [ledger, reservations] = await Promise.all([
        this.ledger.campaignCounters(campaignId),
        this.hotState.reservations(campaignId),
      ]);
      await this.hotState.initialize(campaignId, mergeCounters(ledger, reservations), force);
      return true;
    } catch (error) {
      this.onError(campaignId, error);
      return false;
    }
  }
}
