/**
 * Rebuilds a campaign's hot counters from the ledger when the hot state reports `uninitialized` (a Redis
 * restart or eviction). The service answers 503 meanwhile and does this by itself; one rebuild per campaign
 * at a time in this process, and `initialize` is write-once in the hot state across instances.
 */
import type { CampaignCounters, HotState } from '../hot-state/hot-state';
import type { Logger } from '../observability/logger';
import { repeatLimitedWarn } from '../observability/repeat-filter';
import { mergeCounters } from './merge-counters';

export interface CounterSource {
  campaignCounters(campaignId: string): Promise<CampaignCounters>;
}

/**
 * The rebuilder's failures for the log, per campaign and error at most once a minute: while Redis or the ledger
 * is down every registry poll (each second) fails to rebuild every campaign.
 */
export function logRebuildFailures(logger: Logger): (campaignId: string, error: unknown) => void {
  const warn = repeatLimitedWarn(logger, 'hot counter rebuild failed');
  return (campaignId, error) => warn(error, { campaignId });
}

export class CounterRebuilder {
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(
    private readonly hotState: HotState,
    private readonly ledger: CounterSource,
    private readonly onError: (campaignId: string, error: unknown) => void = () => {},
    /** This process wrote the counters (another instance may have been first: then it is not called). */
    private readonly onRebuilt: (campaignId: string, liveReservations: number) => void = () => {},
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

  /**
   * Repairs drifted counters: forget them, then rebuild from live reservations + the ledger. While they are
   * gone, reserves answer `uninitialized` (a 503 for a few milliseconds), so no reservation can be taken
   * between the reads and the write and none is lost; a forced rewrite over live counters could lose one.
   */
  async repair(campaignId: string): Promise<boolean> {
    await this.running.get(campaignId);
    try {
      await this.hotState.invalidate(campaignId);
    } catch (error) {
      this.onError(campaignId, error);
      return false;
    }
    return this.ensure(campaignId);
  }

  /** Rewrites the counters from the ledger + live reservations even when present (reconciliation repair). */
  async rebuild(campaignId: string, force: boolean): Promise<boolean> {
    try {
      if (!force && (await this.hotState.readCounters(campaignId)) !== null) return true;
      // Reservations first, then the ledger: a reservation confirmed after the first read was committed
      // before it, so the ledger read that follows sees its grant. (Read the other way round, or at once, a
      // grant committed in between is in neither and its position would be handed out twice.)
      const reservations = await this.hotState.reservations(campaignId);
      const ledger = await this.ledger.campaignCounters(campaignId);
      if (await this.hotState.initialize(campaignId, mergeCounters(ledger, reservations), force))
        this.onRebuilt(campaignId, reservations.length);
      return true;
    } catch (error) {
      this.onError(campaignId, error);
      return false;
    }
  }
}
