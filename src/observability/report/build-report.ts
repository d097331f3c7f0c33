/** Pure: the campaign report from the ledger's grouped counts and the active version's plan. */
import type { CampaignDefinition } from '../../definitions/campaign-types';
import type { CampaignUsage } from '../../ledger/grant-store';
import { minorDigits } from '../../shared/currency';
import { toMinorUnits } from '../../shared/minor-units';
import type {
  BudgetLine,
  CampaignReport,
  GrantBreakdown,
  ReportRange,
  RewardLine,
  SegmentLine,
  StockLine,
  TimelinePoint,
} from './campaign-report';
import type {
  GrantGroup,
  OutboxCounts,
  OutcomeCount,
  ReconciliationCounts,
  TimeBucket,
} from './report-reads';
import { bucketIndex, bucketStart, offsetPeriods, shiftsFor, type ShiftPeriod } from './timeline-clock';

export interface ReportInput {
  definition: CampaignDefinition;
  version: number;
  paused: boolean;
  range: ReportRange;
  now: Date;
  /** The business date of `now` in the campaign timezone. */
  today: string;
  outcomes: readonly OutcomeCount[];
  grants: readonly GrantGroup[];
  usage: CampaignUsage;
  outbox: OutboxCounts;
  reconciliation: ReconciliationCounts;
  timeline: {
    bucketSeconds: number;
    /** The campaign zone's offsets the buckets use (shiftsFor), so they start on local hours and days. */
    shifts?: readonly ShiftPeriod[];
    buckets: readonly TimeBucket[];
    first: number | null;
    last: number | null;
  };
  testers: { participations: number; grants: number };
}

/** At most this many points on a timeline. */
export const MAX_TIMELINE_POINTS = 120;
const BUCKET_SIZES = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400];

/**
 * The smallest bucket (seconds) that spans [first, last] (epoch seconds) in at most MAX_TIMELINE_POINTS buckets,
 * counted as they are drawn: hour and day buckets on the zone's local clock (`periods`, its offsets over the
 * range), which can make one more of them than UTC ones would.
 */
export function timelineBucketSeconds(
  first: number,
  last: number,
  periods: readonly ShiftPeriod[] = [],
): number {
  const span = Math.max(0, last - first);
  const fits = (size: number): boolean => {
    const shifts = shiftsFor(size, periods);
    return bucketIndex(last, size, shifts) - bucketIndex(first, size, shifts) < MAX_TIMELINE_POINTS;
  };
  const nice = BUCKET_SIZES.find(fits);
  if (nice !== undefined) return nice;
  let days = Math.ceil(span / 86400 / MAX_TIMELINE_POINTS);
  while (!fits(days * 86400)) days += 1;
  return days * 86400;
}

/**
 * The zone offsets buckets of `bucketSeconds` use over [first, last] (epoch seconds). The first bucket starts up
 * to one bucket before `first`, maybe under the offset before a DST change, so the offsets are read from there:
 * read from `first`, a day range from 05:00 on the spring change's day drew its first point from 23:00 the day
 * before (midnight at the later offset), which is no business day's start.
 */
export function timelineShifts(
  first: number,
  last: number,
  bucketSeconds: number,
  timeZone: string,
): ShiftPeriod[] {
  return shiftsFor(bucketSeconds, offsetPeriods(first - bucketSeconds, Math.max(first, last), timeZone));
}

/** The timeline's bucket size over [first, last] (epoch seconds) and the zone offsets its buckets use. */
export function timelineClock(
  first: number,
  last: number,
  timeZone: string,
): { bucketSeconds: number; shifts: ShiftPeriod[] } {
  const end = Math.max(first, last);
  const bucketSeconds = timelineBucketSeconds(first, end, offsetPeriods(first, end, timeZone));
  return { bucketSeconds, shifts: timelineShifts(first, end, bucketSeconds, timeZone) };
}

/** Every bucket from the first to the last, empty ones as zeros, so a chart's x axis is time. */
export function fillTimeline(
  bucketSeconds: number,
  buckets: readonly TimeBucket[],
  first: number | null,
  last: number | null,
  shifts: readonly ShiftPeriod[] = [],
): TimelinePoint[] {
  if (first === null || last === null) return [];
  const byBucket = new Map(buckets.map((b) => [b.bucket, b]));
  const points: TimelinePoint[] = [];
  const start = bucketIndex(first, bucketSeconds, shifts);
  const end = bucketIndex(last, bucketSeconds, shifts);
  for (let b = start; b <= end && points.length < MAX_TIMELINE_POINTS + 1; b++) {
    const hit = byBucket.get(b);
    const point = {
      at: new Date(bucketStart(b, bucketSeconds, shifts) * 1000).toISOString(),
      participations: hit?.participations ?? 0,
      grants: hit?.grants ?? 0,
      spend: toMinorUnits(hit?.spend ?? 0n),
    };
    // A bucket whose local hours the zone skipped altogether starts where the next one does: the next replaces it.
    if (points[points.length - 1]?.at === point.at) points[points.length - 1] = point;
    else points.push(point);
  }
  return points;
}

function budgetLine(plan: number | undefined, used: bigint): BudgetLine | null {
  if (plan === undefined) return null;
  const left = BigInt(plan) - used;
  return {
    plan,
    used: toMinorUnits(used),
    remaining: toMinorUnits(left > 0n ? left : 0n),
    overspent: toMinorUnits(left < 0n ? -left : 0n),
    usedRatio: plan > 0 ? Number(used) / plan : 0,
  };
}

/** A breakdown line while it is summed: exact sums, made JSON's MinorUnits once done. */
interface Sums {
  grants: number;
  spend: bigint;
  amount: bigint;
}

function sums<K>(
  grants: readonly GrantGroup[],
  keyOf: (g: GrantGroup) => K,
): Map<K, Sums & { first: GrantGroup }> {
  const lines = new Map<K, Sums & { first: GrantGroup }>();
  for (const g of grants) {
    if (g.status === 'void') continue;
    const line = lines.get(keyOf(g)) ?? { grants: 0, spend: 0n, amount: 0n, first: g };
    line.grants += g.grants;
    line.spend += g.spend;
    line.amount += g.amount;
    lines.set(keyOf(g), line);
  }
  return lines;
}

/** Most spend first, then most grants, then by id. */
function ordered<L extends Sums>(lines: L[], id: (line: L) => string): L[] {
  return lines.sort(
    (a, b) =>
      (b.spend > a.spend ? 1 : b.spend < a.spend ? -1 : 0) ||
      b.grants - a.grants ||
      id(a).localeCompare(id(b)),
  );
}

const breakdown = (line: Sums): GrantBreakdown => ({
  grants: line.grants,
  spend: toMinorUnits(line.spend),
  amount: toMinorUnits(line.amount),
});

function breakdowns(grants: readonly GrantGroup[]): { bySegment: SegmentLine[]; byReward: RewardLine[] } {
  const segments = ordered([...sums(grants, (g) => g.segmentId).values()], (l) => String(l.first.segmentId));
  const rewards = ordered([...sums(grants, (g) => g.rewardId).values()], (l) => l.first.rewardId);
  return {
    bySegment: segments.map((l) => ({ segmentId: l.first.segmentId, ...breakdown(l) })),
    byReward: rewards.map((l) => ({ rewardId: l.first.rewardId, type: l.first.rewardType, ...breakdown(l) })),
  };
}

function stockLines(definition: CampaignDefinition, usage: CampaignUsage): StockLine[] {
  return definition.rewards
    .filter((r) => r.type !== 'none')
    .map((r) => {
      const used = usage.stockUsed[r.id] ?? 0;
      const plan = 'stock' in r && r.stock !== undefined ? r.stock : null;
      return {
        rewardId: r.id,
        plan,
        used,
        remaining: plan === null ? null : Math.max(0, plan - used),
        overgranted: plan === null ? 0 : Math.max(0, used - plan),
      };
    });
}

/**
 * What the money figures count: the budget's currency, else the one the grants were made in (a version that
 * dropped its budget leaves them in it; the activation check keeps a campaign to one currency).
 */
function reportCurrency(definition: CampaignDefinition, usage: CampaignUsage): string | null {
  const made = usage.currencies ?? [];
  return definition.budget?.currency ?? (made.length === 1 ? (made[0] ?? null) : null);
}

export function buildReport(input: ReportInput): CampaignReport {
  const { definition, outcomes, grants, usage } = input;
  const currency = reportCurrency(definition, usage);
  const byOutcome: Record<string, number> = {};
  let participations = 0;
  let eligible = 0;
  for (const o of outcomes) {
    byOutcome[o.outcome] = (byOutcome[o.outcome] ?? 0) + o.count;
    participations += o.count;
    if (o.eligible) eligible += o.count;
  }
  // Consolations (type none) have nothing to deliver and never leave `pending`: counted apart, not as waiting.
  // A voided one is void, as the breakdowns count it, so `void` holds every grant they leave out.
  const byStatus: Record<string, number> = {};
  const spendByStatus: Record<string, bigint> = {};
  let consolations = 0;
  for (const g of grants) {
    if (g.rewardType === 'none' && g.status !== 'void') {
      consolations += g.grants;
      continue;
    }
    byStatus[g.status] = (byStatus[g.status] ?? 0) + g.grants;
    spendByStatus[g.status] = (spendByStatus[g.status] ?? 0n) + g.spend;
  }
  const openByKind = input.reconciliation.openByKind;
  const open = Object.values(openByKind).reduce((a, b) => a + b, 0);
  const view = (run: ReconciliationCounts['lastRealtime']) =>
    run && {
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    };
  const oldest = input.outbox.oldestPendingAt;
  return {
    campaignId: definition.id,
    generatedAt: input.now.toISOString(),
    range: input.range,
    campaign: {
      name: definition.name,
      version: input.version,
      status: definition.status,
      paused: input.paused,
      window: definition.window,
      timezone: definition.timezone,
      currency,
    },
    funnel: {
      participations,
      eligible,
      granted: byOutcome['granted'] ?? 0,
      // The issuer confirmed them: a grant voided later still counts, as it still counts as granted.
      delivered: grants.reduce((sum, g) => sum + g.delivered, 0),
    },
    outcomes: byOutcome,
    refusals: Object.entries(byOutcome)
      .filter(([reason]) => reason !== 'granted')
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    ...breakdowns(grants),
    budget: {
      currency,
      minorDigits: currency === null ? null : minorDigits(currency),
      total: budgetLine(definition.budget?.total, usage.spent),
      today: (() => {
        const line = budgetLine(definition.budget?.daily, usage.dailySpent[input.today] ?? 0n);
        return line && { ...line, date: input.today };
      })(),
      byDate: Object.entries(usage.dailySpent)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, used]) => ({ date, used: toMinorUnits(used) })),
    },
    stock: stockLines(definition, usage),
    delivery: {
      byStatus,
      spendByStatus: Object.fromEntries(
        Object.entries(spendByStatus).map(([status, spend]) => [status, toMinorUnits(spend)]),
      ),
      consolations,
      backlog: input.outbox.pending,
      dead: input.outbox.dead,
      oldestPendingAt: oldest?.toISOString() ?? null,
      lagSeconds: oldest ? Math.max(0, Math.round((input.now.getTime() - oldest.getTime()) / 1000)) : 0,
    },
    reconciliation: {
      state: open > 0 ? 'discrepancies' : lastRunFailed(input.reconciliation) ? 'run_failed' : 'ok',
      openDiscrepancies: open,
      openByKind,
      resolvedInRange: input.reconciliation.resolvedInRange,
      lastRealtime: view(input.reconciliation.lastRealtime),
      lastOffline: view(input.reconciliation.lastOffline),
    },
    timeline: {
      bucketSeconds: input.timeline.bucketSeconds,
      points: fillTimeline(
        input.timeline.bucketSeconds,
        input.timeline.buckets,
        input.timeline.first,
        input.timeline.last,
        input.timeline.shifts,
      ),
    },
    testers: input.testers,
  };
}

/** Whether the campaign's last real-time or offline reconciliation run failed. */
function lastRunFailed(runs: Pick<ReconciliationCounts, 'lastRealtime' | 'lastOffline'>): boolean {
  return runs.lastRealtime?.status === 'failed' || runs.lastOffline?.status === 'failed';
}
