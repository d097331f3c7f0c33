/**
 * Dry-run: many users through the same decision code as the service, against simulated stock, budget and
 * per-user counts, without touching a ledger. Users arrive at `at`, or spread evenly over the window so
 * daily budgets and pacing behave as they would in the live campaign.
 */
import { availabilityFromUsage } from '../decision/availability';
import { businessDate, businessDayBounds } from '../decision/business-date';
import { campaignWindow } from '../decision/campaign-window';
import type { Random } from '../decision/random';
import type { CompiledCampaign } from '../rules/compiled-campaign';
import type { HistoryFact } from '../rules/facts';
import { impliedHistory } from '../rules/history-shape';
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
  /**
   * Visits by the campaign's testers (a users file may hold them): decided on the tester's own profile, as the
   * service does, and counted in outcomes, segments and rewards, but their grants take no stock or budget.
   */
  testers: number;
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
  /**
   * Every userId comes once (a synthetic crowd): nobody has a simulated history, so no per-user bookkeeping
   * is kept and memory stays flat however many users come. Leave unset for a users file, where one userId
   * may come back and must meet its own earlier grants (per-user limits, `history` facts).
   */
  distinctUsers?: boolean;
  onProgress?: (done: number) => void;
}

/**
 * What the run has given one user so far, as the ledger's history would show it: every visit is a
 * participation (the service records refusals too). Users arrive in time order, so only the latest business
 * day's grant count is needed.
 */
interface UserTally {
  participations: number;
  grants: number;
  date: string;
  grantsToday: number;
  rewards: Record<string, number>;
}

/** The user's history facts: what the users file says, plus what this run has given them. */
function historyOf(user: SimulatedUser, tally: UserTally | undefined, date: string): Partial<HistoryFact> {
  const base = impliedHistory(user.history ?? {});
  if (!tally) return base;
  const rewards: Record<string, number> = { ...base.rewards };
  for (const [id, n] of Object.entries(tally.rewards)) rewards[id] = (rewards[id] ?? 0) + n;
  return {
    ...base,
    participations: (base.participations ?? 0) + tally.participations,
    grants: (base.grants ?? 0) + tally.grants,
    grantsToday: (base.grantsToday ?? 0) + (tally.date === date ? tally.grantsToday : 0),
    rewards,
  };
}

/** The business date of an instant, computed once per business day (formatting a date is the costly part). */
function businessDayCache(timeZone: string): (now: Date) => string {
  let day: { date: string; start: number; end: number } | null = null;
  return (now) => {
    const t = now.getTime();
    if (day === null || t < day.start || t >= day.end) {
      const date = businessDate(now, timeZone);
      const bounds = businessDayBounds(date, timeZone);
      day = { date, start: bounds.start.getTime(), end: bounds.end.getTime() };
    }
    return day.date;
  };
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
  const tallies = new Map<string, UserTally>();
  const dateOf = businessDayCache(campaign.timezone);
  const report: DryRunReport = {
    campaign: campaign.id,
    at: input.at ? input.at.toISOString() : null,
    users: 0,
    outcomes: {},
    segments: Object.fromEntries(campaign.segments.map((s) => [s.id, 0])),
    rewards: Object.fromEntries(campaign.rewards.map((r) => [r.id, 0])),
    unmatched: 0,
    testers: 0,
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
  const testerProfiles = new Map((campaign.testers ?? []).map((t) => [t.userId, t.profile]));
  const span = window.end - window.start;
  let index = 0;
  for await (const user of input.users) {
    const now =
      input.at ?? new Date(window.start + Math.floor(((index + 0.5) / Math.max(input.total, 1)) * span));
    index++;
    const date = dateOf(now);
    const tally = input.distinctUsers ? undefined : tallies.get(user.userId);
    // The service reads a tester's profile from the campaign, never from the profile source.
    const testerProfile = testerProfiles.get(user.userId);
    const final = await evaluateParticipant({
      compiled: input.compiled,
      user: {
        ...user,
        ...(testerProfile ? { profile: testerProfile } : {}),
        history: historyOf(user, tally, date),
      },
      now,
      businessDate: date,
      availability: availabilityFromUsage(campaign, {
        granted,
        spent: report.spend,
        dailySpent: spendByDay[date] ?? 0,
      }),
      random: input.random,
    });
    const counts = input.distinctUsers
      ? undefined
      : (tally ?? { participations: 0, grants: 0, date, grantsToday: 0, rewards: {} });
    if (counts) {
      counts.participations++;
      if (counts.date !== date) {
        counts.date = date;
        counts.grantsToday = 0;
      }
      if (!tally) tallies.set(user.userId, counts);
    }
    report.users++;
    if (testerProfile) report.testers++;
    bump(report.outcomes, final.outcome);
    if (final.segment) bump(report.segments, final.segment.id);
    else if (final.outcome === 'not_eligible') report.unmatched++;
    if (final.outcome === 'granted' && final.choice?.kind === 'reward') {
      const { reward, charge } = final.choice;
      bump(report.rewards, reward.id);
      if (!testerProfile) {
        bump(granted, reward.id);
        report.spend += charge;
        bump(spendByDay, date, charge);
      }
      if (counts) {
        counts.grants++;
        counts.grantsToday++;
        bump(counts.rewards, reward.id);
      }
      if (
        !testerProfile &&
        reward.type !== 'none' &&
        reward.stock !== undefined &&
        granted[reward.id] === reward.stock
      ) {
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
