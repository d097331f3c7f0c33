/**
 * What the state gauges show, read on scrape: stock and budget remaining from the hot state (the gate every
 * reserve goes through, so reservations in flight count), delivery backlog and lag and open discrepancies from
 * the ledger. Each source is read at most once per `ttlMs` however many scrapers ask, and concurrent scrapes
 * share one read.
 */
import { businessDate } from '../../decision/business-date';
import type { HotState } from '../../hot-state/hot-state';
import type { Db } from '../../ledger/db';
import type { OutboxStore } from '../../ledger/outbox-store';
import type { CampaignSnapshot } from '../../publishing/campaign-snapshot';
import type { ReportReads } from '../report/report-reads';

export interface CampaignState {
  campaignId: string;
  /** Per reward with a stock limit. */
  stockRemaining: Record<string, number>;
  budgetRemaining: { total: number | null; daily: number | null };
}

export interface DeliveryState {
  pending: number;
  due: number;
  in_flight: number;
  dead: number;
  lagSeconds: number;
}

export interface DiscrepancyCount {
  campaignId: string | null;
  kind: string;
  count: number;
}

export interface StateSnapshots {
  campaigns(): Promise<CampaignState[]>;
  delivery(): Promise<DeliveryState>;
  discrepancies(): Promise<DiscrepancyCount[]>;
}

/** Pure: remaining stock and budget of one campaign from the hot state's availability read. */
export function campaignState(
  snapshot: Pick<CampaignSnapshot, 'campaignId' | 'definition'>,
  usage: { stockUsed: Record<string, number>; spent: number; dailySpent: number },
): CampaignState {
  const stockRemaining: Record<string, number> = {};
  for (const reward of snapshot.definition.rewards) {
    if (reward.type === 'none' || reward.stock === undefined) continue;
    stockRemaining[reward.id] = Math.max(0, reward.stock - (usage.stockUsed[reward.id] ?? 0));
  }
  const { budget } = snapshot.definition;
  return {
    campaignId: snapshot.campaignId,
    stockRemaining,
    budgetRemaining: {
      total: budget?.total === undefined ? null : Math.max(0, budget.total - usage.spent),
      daily: budget?.daily === undefined ? null : Math.max(0, budget.daily - usage.dailySpent),
    },
  };
}

class Cached<T> {
  private at = -Infinity;
  private value: Promise<T> | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(): Promise<T> {
    const now = this.now();
    if (this.value && now - this.at < this.ttlMs) return this.value;
    this.at = now;
    this.value = this.read();
    // A failed read is not kept: the next scrape tries again.
    this.value.catch(() => {
      this.at = -Infinity;
    });
    return this.value;
  }
}

export interface LedgerStateDeps {
  db: Db;
  hotState: Pick<HotState, 'availability'>;
  registry: { list(): CampaignSnapshot[] };
  outbox: Pick<OutboxStore, 'stats'>;
  reads: Pick<ReportReads, 'openDiscrepancies'>;
  clock: () => Date;
  /** Default 5 s. */
  ttlMs?: number;
  /** Milliseconds for the cache's age (default Date.now; tests move it). */
  ticks?: () => number;
}

export function ledgerStateSnapshots(deps: LedgerStateDeps): StateSnapshots {
  const ttl = deps.ttlMs ?? 5000;
  const now = deps.ticks ?? ((): number => Date.now());
  const campaigns = new Cached(
    async () => {
      const at = deps.clock();
      return Promise.all(
        deps.registry.list().map(async (s) => {
          const usage = await deps.hotState.availability(
            s.campaignId,
            s.definition.rewards.map((r) => r.id),
            businessDate(at, s.definition.timezone),
          );
          return usage.initialized ? campaignState(s, usage) : null;
        }),
      ).then((states) => states.filter((s): s is CampaignState => s !== null));
    },
    ttl,
    now,
  );
  const delivery = new Cached(
    async () => {
      const at = deps.clock();
      const stats = await deps.outbox.stats(deps.db, at);
      return {
        pending: stats.pending,
        due: stats.due,
        in_flight: stats.inFlight,
        dead: stats.dead,
        lagSeconds: stats.oldestPendingAt
          ? Math.max(0, (at.getTime() - stats.oldestPendingAt.getTime()) / 1000)
          : 0,
      };
    },
    ttl,
    now,
  );
  const discrepancies = new Cached(() => deps.reads.openDiscrepancies(deps.db), ttl, now);
  return {
    campaigns: () => campaigns.get(),
    delivery: () => delivery.get(),
    discrepancies: () => discrepancies.get(),
  };
}
