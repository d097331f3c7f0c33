/**
 * The worker's alert job (every minute, on the scheduler lease holder): evaluates each campaign's budget burn
 * rate (total and daily) and stock, and the service's error and 503 rates, feeds each through its episode state
 * machine, and raises an alert through the notifier when an episode opens and a recovery when it closes.
 * Occurrence keys make a raise idempotent, so a run that dies between raising and saving its state only
 * re-raises a duplicate the notification store drops.
 */
import { businessDate, businessDayBounds } from '../../decision/business-date';
import { campaignWindow } from '../../decision/campaign-window';
import { paysForNothing } from '../../decision/charge';
import type { Alert, AlertSink } from '../../integrations/alert-service';
import type { AlertEvent } from '../../integrations/notifier';
import type { Db } from '../../ledger/db';
import type { CampaignUsage, GrantStore } from '../../ledger/grant-store';
import type { Logger } from '../logger';
import type { CampaignSnapshot } from '../../publishing/campaign-snapshot';
import { ALWAYS_LEADER, type StillLeader } from '../../shared/still-leader';
import { nextEpisode, type EpisodeState } from './alert-episode';
import { episodeKey, type AlertEpisodeStore, type EpisodeKey } from './alert-episode-store';
import type { AlertLevel } from './alert-level';
import { burnRate, DEFAULT_BURN_RATE, type BurnRateSettings } from './burn-rate';
import { DEFAULT_SPIKE, spikeLevel, type SpikeSettings } from './error-spike';
import type { SpendReads } from './knex-spend-reads';
import type { RequestStatsStore } from './request-stats-store';

export interface AlertSettings {
  burn: BurnRateSettings;
  /** The recent pace of spend is measured over at most this much time (ms). */
  burnLookbackMs: number;
  spike: SpikeSettings;
  /** request_stats rows are kept this long (ms). */
  statsRetentionMs: number;
}

const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  burn: DEFAULT_BURN_RATE,
  burnLookbackMs: 60 * 60_000,
  spike: DEFAULT_SPIKE,
  statsRetentionMs: 24 * 3_600_000,
};

export interface AlertEvaluatorDeps {
  db: Db;
  registry: { list(): CampaignSnapshot[] };
  alerts: AlertSink;
  episodes: AlertEpisodeStore;
  stats: RequestStatsStore;
  spend: SpendReads;
  grants: Pick<GrantStore, 'usage'>;
  clock: () => Date;
  logger: Logger;
  settings?: Partial<AlertSettings>;
}

/** One evaluated condition. `occurrence` names the episode that a firing opens. */
interface Check {
  key: EpisodeKey;
  event: AlertEvent;
  level: AlertLevel;
  occurrence: (episode: number, previous: EpisodeState | null) => string;
  details: Record<string, unknown>;
  /** What an episode is about when that can change while it fires (a stock limit, a business day): see run(). */
  limit?: string;
}

export interface AlertRunSummary {
  checks: number;
  fired: string[];
  recovered: string[];
}

const later = (a: number, b: number): Date => new Date(Math.max(a, b));

export class AlertEvaluator {
  private readonly settings: AlertSettings;

  constructor(private readonly deps: AlertEvaluatorDeps) {
    this.settings = { ...DEFAULT_ALERT_SETTINGS, ...deps.settings };
  }

  /**
   * `stillLeader`: the scheduled job's. Once it says no, the run stops before the next check (a check's alert and
   * its saved episode go together), leaving the rest, and the pruning, to the lease's new holder.
   */
  async run(stillLeader: StillLeader = ALWAYS_LEADER): Promise<AlertRunSummary> {
    const { db, clock } = this.deps;
    const now = clock();
    const states = await this.deps.episodes.all(db);
    const checks: Check[] = [];
    for (const snapshot of this.deps.registry.list())
      checks.push(...(await this.campaignChecks(snapshot, now)));
    checks.push(...(await this.spikeChecks(now)));
    const summary: AlertRunSummary = { checks: checks.length, fired: [], recovered: [] };
    for (const check of checks) {
      if (!stillLeader()) return summary;
      let previous = states.get(episodeKey(check.key)) ?? null;
      // What the episode is about changed while it fired (a stock raised and used up again between two runs, a
      // new business day for the daily budget): the old episode ends, and the check starts afresh.
      const limit = check.limit;
      if (previous?.firing && limit && !previous.subject?.startsWith(limit)) {
        previous = await this.advance(check, previous, 'ok', now, summary, { superseded: true });
      }
      await this.advance(check, previous, check.level, now, summary);
    }
    await this.deps.stats.prune(db, new Date(now.getTime() - this.settings.statsRetentionMs));
    return summary;
  }

  /** One step of the check's episode: the alert or recovery it sends, if any, and the state saved. */
  private async advance(
    check: Check,
    previous: EpisodeState | null,
    level: AlertLevel,
    now: Date,
    summary: AlertRunSummary,
    extra: Record<string, unknown> = {},
  ): Promise<EpisodeState> {
    const { state, transition } = nextEpisode(previous, level, now);
    if (transition === null) return state;
    const name = `${check.key.campaignId ?? '*'}:${check.key.alert}`;
    if (transition === 'fired') {
      state.subject = check.occurrence(state.episode, previous);
      await this.raise(check, state.subject, { status: 'firing', episode: state.episode, ...check.details });
      summary.fired.push(name);
    } else {
      await this.raise(check, `${state.subject ?? check.key.alert}/resolved`, {
        status: 'resolved',
        episode: state.episode,
        firingSince: previous?.since.toISOString() ?? null,
        ...check.details,
        ...extra,
      });
      summary.recovered.push(name);
    }
    await this.deps.episodes.save(this.deps.db, check.key, state, now);
    return state;
  }

  private raise(check: Check, occurrence: string, details: Record<string, unknown>): Promise<unknown> {
    const alert: Alert = { event: check.event, campaignId: check.key.campaignId, occurrence, details };
    return this.deps.alerts.raise(alert);
  }

  private async campaignChecks(snapshot: CampaignSnapshot, now: Date): Promise<Check[]> {
    const { definition, campaignId } = snapshot;
    const on = definition.notify?.on ?? [];
    const burn = on.includes('budget.burn_rate') && definition.budget !== undefined;
    const stock = on.includes('stock.exhausted');
    if (!burn && !stock) return [];
    const usage = await this.deps.grants.usage(this.deps.db, campaignId);
    const checks: Check[] = [];
    if (burn) checks.push(...(await this.burnChecks(snapshot, now, usage)));
    if (stock) {
      for (const reward of definition.rewards) {
        if (reward.type === 'none' || reward.stock === undefined) continue;
        const used = usage.stockUsed[reward.id] ?? 0;
        const limit = `reward:${reward.id}/${reward.stock}`;
        checks.push({
          key: { campaignId, alert: `stock.exhausted:${reward.id}` },
          event: 'stock.exhausted',
          level: used >= reward.stock ? 'firing' : 'ok',
          // The first episode at a stock limit shares its key with the reconciler's threshold alert (sent once).
          occurrence: (episode, previous) =>
            previous?.subject?.startsWith(limit) ? `${limit}#${episode}` : limit,
          details: { rewardId: reward.id, stock: reward.stock, used },
          limit,
        });
      }
    }
    return checks;
  }

  private async burnChecks(
    snapshot: CampaignSnapshot,
    now: Date,
    usage: Pick<CampaignUsage, 'spent' | 'dailySpent'>,
  ): Promise<Check[]> {
    const { definition, campaignId } = snapshot;
    const budget = definition.budget;
    if (!budget) return [];
    const window = campaignWindow(definition);
    const lookback = now.getTime() - this.settings.burnLookbackMs;
    const checks: Check[] = [];
    const check = async (
      scope: 'total' | 'daily',
      limit: number,
      start: number,
      end: number,
      spent: number,
      date: string | null,
    ) => {
      const lookbackStart = later(start, lookback);
      const recentSpend =
        lookbackStart.getTime() < now.getTime()
          ? await this.deps.spend.spendSince(this.deps.db, campaignId, lookbackStart, date)
          : 0;
      const usedUp = spent < limit && paysForNothing(definition.rewards, limit - spent);
      const rate = burnRate(
        { limit, spent, recentSpend, lookbackStart, now, end: new Date(end), usedUp },
        this.settings.burn,
      );
      checks.push({
        key: { campaignId, alert: `budget.burn_rate:${scope}` },
        event: 'budget.burn_rate',
        level: rate.level,
        occurrence: (episode) => `burn:${scope}${date ? `:${date}` : ''}#${episode}`,
        // A daily episode is about one business day: the next day's check closes it (see run()).
        ...(date ? { limit: `burn:daily:${date}` } : {}),
        details: {
          scope,
          ...(date ? { businessDate: date } : {}),
          limit,
          spent,
          remaining: rate.remaining,
          perHour: rate.perHour,
          exhaustsAt: rate.exhaustsAt?.toISOString() ?? null,
          periodEnd: new Date(end).toISOString(),
        },
      });
    };
    if (budget.total !== undefined)
      // Under a budget the spend is below 2^53 (only a budget forced below a larger spend is not): a rate is
      // estimated from it, in floating point anyway.
      await check('total', budget.total, window.start, window.end, Number(usage.spent), null);
    if (budget.daily !== undefined) {
      const today = businessDate(now, definition.timezone);
      const day = businessDayBounds(today, definition.timezone);
      const start = Math.max(day.start.getTime(), window.start);
      const end = Math.min(day.end.getTime(), window.end);
      await check('daily', budget.daily, start, end, Number(usage.dailySpent[today] ?? 0n), today);
    }
    return checks;
  }

  private async spikeChecks(now: Date): Promise<Check[]> {
    const { windowMinutes } = this.settings.spike;
    // Whole minutes: the job runs just after a minute starts, so `now - window` would cut the oldest minute's
    // bucket (stamped at its start) out and judge four minutes and a sliver instead of five.
    const since = Math.floor((now.getTime() - windowMinutes * 60_000) / 60_000) * 60_000;
    const counts = await this.deps.stats.since(this.deps.db, new Date(since));
    return (['errors', 'unavailable'] as const).map((kind) => ({
      key: { campaignId: null, alert: `errors.spike:${kind}` },
      event: 'errors.spike' as const,
      level: spikeLevel(counts[kind], counts.total, this.settings.spike),
      occurrence: (episode: number) => `${kind}#${episode}`,
      details: {
        kind,
        windowMinutes,
        requests: counts.total,
        count: counts[kind],
        ratio: counts.total > 0 ? Math.round((counts[kind] / counts.total) * 10_000) / 10_000 : 0,
      },
    }));
  }
}
