/**
 * The live registry: every active campaign version, compiled once, plus the pause overlay. Servers refresh it
 * on a change notice (Redis pub/sub) and on a short poll; either way a swap replaces whole snapshots, so
 * requests in flight keep the one they pinned.
 */
import { resolvedFromCanonical } from '../definitions/resolve-campaign';
import { getCompiledCampaign } from '../rules/compiled-campaign-cache';
import { createSnapshot, withPaused, type CampaignSnapshot } from './campaign-snapshot';

export interface ActiveVersionRow {
  campaignId: string;
  version: number;
  fingerprint: string;
  body: string;
}

/** The narrow slice of the ledger the registry reads. */
export interface ActiveVersionSource {
  activeVersions(): Promise<ActiveVersionRow[]>;
  pausedCampaigns(): Promise<string[]>;
}

export class LiveRegistry {
  private snapshots = new Map<string, CampaignSnapshot>();
  private loadedOnce = false;
  private refreshing: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly source: ActiveVersionSource) {}

  get loaded(): boolean {
    return this.loadedOnce;
  }

  get(campaignId: string): CampaignSnapshot | undefined {
    return this.snapshots.get(campaignId);
  }

  list(): CampaignSnapshot[] {
    return [...this.snapshots.values()];
  }

  /**
   * Reloads from the ledger. A call made while a refresh runs is answered by one more refresh after it
   * (shared by every such call): the running one may have read the ledger before the change being notified.
   */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.load().finally(() => {
        this.refreshing = null;
      });
      return this.refreshing;
    }
    this.queued ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.refresh();
      });
    return this.queued;
  }

  private async load(): Promise<void> {
    const [rows, pausedIds] = await Promise.all([
      this.source.activeVersions(),
      this.source.pausedCampaigns(),
    ]);
    const paused = new Set(pausedIds);
    const next = new Map<string, CampaignSnapshot>();
    for (const row of rows) {
      const current = this.snapshots.get(row.campaignId);
      const isPaused = paused.has(row.campaignId);
      if (current && current.version === row.version && current.fingerprint === row.fingerprint) {
        next.set(row.campaignId, withPaused(current, isPaused));
        continue;
      }
      const resolved = resolvedFromCanonical(row.body);
      next.set(
        row.campaignId,
        createSnapshot(row.version, resolved, getCompiledCampaign(resolved), isPaused),
      );
    }
    this.snapshots = next;
    this.loadedOnce = true;
  }
}
