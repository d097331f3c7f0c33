/**
 * Dry-run: many users through the same decision code as the service, against simulated stock, budget and
 * per-user counts, without touching a ledger. Users arrive at `at`, or spread evenly over the window so
 * daily budgets and pacing behave as they would in the live campaign.
 */
import { availabilityFromUsage } from '../decision/availability';
import { businessDate } from '../decision/business-date';
import { campaignWindow } from '../decision/campaign-window';
import type { Random } from '../decision/random';
import type { CompiledCampaign } from '../rules/compiled-campaign';
import { evaluateParticipant, type SimulatedUser } from './evaluate-participant';

export interface DryRunReport {
  campaign: string;
  at: string | null;
  users: number;
  outcomes: Record<string, number>;
  segments: Record<string, number>;
  rewards: Record<string, number>;
  /** Users who match no segment. */
  unmatched: number;
  /** Segments no user reached. */
  unreached: string[];
  /** Projected spend in minor units. */
  spend: number;
  spendByDay: Record<string, number>;
  budget: {
    currency: string | null;
    total: number | null;
    daily: number | null;
    remaining: number | null;
    peakDaily: number;
  };
  /** When each stocked reward would run out: after how many users, at what time. */
  stockouts: Record<string, { afterUsers: number; at: string }>;
  durationMs: number;
}

export interface DryRunInput {
  compiled: CompiledCampaign;
  users: AsyncIterable<SimulatedUser> | Iterable<SimulatedUser>;
  /** How many users will come (to spread them over the window and drive a progress bar). */
  total: number;
  at: Date | null;
  random: Random;
  onProgress?: (done: number) => void;
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export async function dryRun(input: DryRunInput): Promise<DryRunReport> {
  const started = Date.now();
  const campaign = input.compiled.resolved.definition;
  const window = campaignWindow(campaign);
  const granted: Record<string, number> = {};
  const spendByDay: Record<string, number> = {};
  const perUser = new Map<string, { total: number; days: Map<string, number> }>();
  const report: DryRunReport = {
    campaign: campaign.id,
    at: input.at ? input.at.toISOString() : null,
    users: 0,
    outcomes: {},
    segments: Object.fromEntries(campaign.segments.map((s) => [s.id, 0])),
    rewards: Object.fromEntries(campaign.rewards.map((r) => [r.id, 0])),
    unmatched: 0,
    unreached: [],
    spend: 0,
    spendByDay,
    budget: {
      currency: campaign.budget?.currency ?? null,
      total: campaign.budget?.total ?? null,
      daily: campaign.budget?.daily ?? null,
      remaining: null,
      peakDaily: 0,
    },
    stockouts: {},
    durationMs: 0,
  };
  const span = window.end - window.start;
  let index = 0;
  for await (const user of input.users) {
    const now =
      input.at ?? new Date(window.start + Math.floor(((index + 0.5) / Math.max(input.total, 1)) * span));
    index++;
    const date = businessDate(now, campaign.timezone);
    const counts = perUser.get(user.userId) ?? { total: 0, days: new Map<string, number>() };
    const final = await evaluateParticipant({
      compiled: input.compiled,
      user: {
        ...user,
        history: {
          ...user.history,
          grants: (user.history?.grants ?? 0) + counts.total,
          grantsToday: (user.history?.grantsToday ?? 0) + (counts.days.get(date) ?? 0),
        },
      },
      now,
      availability: availabilityFromUsage(campaign, {
        granted,
        spent: report.spend,
        dailySpent: spendByDay[date] ?? 0,
      }),
      random: input.random,
    });
    report.users++;
    bump(report.outcomes, final.outcome);
    if (final.segment) bump(report.segments, final.segment.id);
    else if (final.outcome === 'not_eligible') report.unmatched++;
    if (final.outcome === 'granted' && final.choice?.kind === 'reward') {
      const { reward, charge } = final.choice;
      bump(report.rewards, reward.id);
      bump(granted, reward.id);
      report.spend += charge;
      bump(spendByDay, date, charge);
      counts.total++;
      counts.days.set(date, (counts.days.get(date) ?? 0) + 1);
      perUser.set(user.userId, counts);
      if (reward.type !== 'none' && reward.stock !== undefined && granted[reward.id] === reward.stock) {
        report.stockouts[reward.id] = { afterUsers: index, at: now.toISOString() };
      }
    }
    if (input.onProgress && index % 1000 === 0) input.onProgress(index);
  }
  input.onProgress?.(index);
  report.unreached = campaign.segments.filter((s) => (report.segments[s.id] ?? 0) === 0).map((s) => s.id);
  report.budget.remaining = report.budget.total === null ? null : report.budget.total - report.spend;
  report.budget.peakDaily = Math.max(0, ...Object.values(spendByDay));
  report.durationMs = Date.now() - started;
  return report;
}
