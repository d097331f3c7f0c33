import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import {
  buildReport,
  fillTimeline,
  MAX_TIMELINE_POINTS,
  timelineBucketSeconds,
  timelineShifts,
  type ReportInput,
} from '../../../src/observability/report/build-report';
import {
  bucketIndex,
  bucketStart,
  offsetPeriods,
  shiftsFor,
} from '../../../src/observability/report/timeline-clock';
import { businessDate, businessDayBounds } from '../../../src/decision/business-date';
import { reportCsv, reportTable } from '../../../cli/report-output';
import { pointSpan } from '../../../cli/report-timeline';
import type { CampaignReport } from '../../../src/observability/report/campaign-report';

const definition: CampaignDefinition = {
  id: 'sale',
  name: 'Sale',
  owner: 'tests',
  status: 'active',
  window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' },
  timezone: 'Asia/Shanghai',
  entry: { activityCode: 'none' },
  budget: { currency: 'CNY', total: 1000, daily: 400 },
  rewards: [
    { id: 'rp', type: 'red_packet', amount: { min: 10, max: 20 }, stock: 10 },
    { id: 'cp', type: 'coupon', value: 100, cost: 30 },
    { id: 'thanks', type: 'none' },
  ],
  segments: [{ id: 'all', rewards: [{ reward: 'rp', weight: 1 }] }],
  decision: { strategy: 'weighted' },
};

const NOW = new Date('2026-11-11T04:00:00Z');

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    definition,
    version: 3,
    paused: true,
    range: { from: null, to: null },
    now: NOW,
    today: '2026-11-11',
    outcomes: [
      { outcome: 'granted', eligible: true, count: 6 },
      { outcome: 'out_of_stock', eligible: true, count: 2 },
      { outcome: 'not_eligible', eligible: false, count: 3 },
      { outcome: 'blocked', eligible: false, count: 2 },
    ],
    grants: [
      {
        segmentId: 'all',
        rewardId: 'rp',
        rewardType: 'red_packet',
        status: 'delivered',
        grants: 3,
        delivered: 3,
        spend: 45n,
        amount: 45n,
      },
      {
        segmentId: 'all',
        rewardId: 'rp',
        rewardType: 'red_packet',
        status: 'void',
        grants: 1,
        // Delivered, then voided: the issuer confirmed it, so the funnel still counts it as delivered.
        delivered: 1,
        spend: 20n,
        amount: 20n,
      },
      {
        segmentId: 'all',
        rewardId: 'cp',
        rewardType: 'coupon',
        status: 'pending',
        grants: 1,
        delivered: 0,
        spend: 30n,
        amount: 100n,
      },
      {
        segmentId: null,
        rewardId: 'thanks',
        rewardType: 'none',
        // A consolation is never sent: it stays pending, and is counted apart from the deliveries.
        status: 'pending',
        grants: 1,
        delivered: 0,
        spend: 0n,
        amount: 0n,
      },
    ],
    usage: {
      stockUsed: { rp: 3, cp: 1 },
      spent: 75n,
      dailySpent: { '2026-11-10': 500n, '2026-11-11': 75n },
      grants: 4,
    },
    outbox: { pending: 1, dead: 0, oldestPendingAt: new Date(NOW.getTime() - 90_500) },
    reconciliation: { openByKind: {}, resolvedInRange: 2, lastRealtime: null, lastOffline: null },
    timeline: { bucketSeconds: 60, buckets: [], first: null, last: null },
    testers: { participations: 1, grants: 1 },
    ...overrides,
  };
}

describe('buildReport', () => {
  it('derives the funnel, outcomes and refusals (most frequent first) from the outcome counts', () => {
    const r = buildReport(input());
    expect(r.funnel).toEqual({ participations: 13, eligible: 8, granted: 6, delivered: 4 });
    expect(r.refusals).toEqual([
      { reason: 'not_eligible', count: 3 },
      { reason: 'blocked', count: 2 },
      { reason: 'out_of_stock', count: 2 },
    ]);
    expect(r.campaign).toMatchObject({ version: 3, paused: true, currency: 'CNY' });
  });

  it('leaves void grants out of spend, keeps them in delivery status, orders by spend', () => {
    const r = buildReport(input());
    expect(r.byReward).toEqual([
      { rewardId: 'rp', type: 'red_packet', grants: 3, spend: 45, amount: 45 },
      { rewardId: 'cp', type: 'coupon', grants: 1, spend: 30, amount: 100 },
      { rewardId: 'thanks', type: 'none', grants: 1, spend: 0, amount: 0 },
    ]);
    expect(r.bySegment).toEqual([
      { segmentId: 'all', grants: 4, spend: 75, amount: 145 },
      { segmentId: null, grants: 1, spend: 0, amount: 0 },
    ]);
    expect(r.delivery).toEqual({
      byStatus: { delivered: 3, void: 1, pending: 1 },
      spendByStatus: { delivered: 45, void: 20, pending: 30 },
      consolations: 1,
      backlog: 1,
      dead: 0,
      oldestPendingAt: new Date(NOW.getTime() - 90_500).toISOString(),
      lagSeconds: 91,
    });
  });

  it('counts a voided consolation as void, not as a consolation, like the breakdowns do', () => {
    const base = input();
    const r = buildReport({
      ...base,
      grants: [
        ...base.grants,
        {
          segmentId: null,
          rewardId: 'thanks',
          rewardType: 'none',
          status: 'void',
          grants: 2,
          delivered: 0,
          spend: 0n,
          amount: 0n,
        },
      ],
    });
    expect(r.byReward.find((x) => x.rewardId === 'thanks')?.grants).toBe(1);
    expect([r.delivery.consolations, r.delivery.byStatus]).toEqual([
      1,
      { delivered: 3, void: 3, pending: 1 },
    ]);
  });

  it('measures budget (total and today) and stock against the plan; unlimited stock has no remaining', () => {
    const r = buildReport(input());
    expect(r.budget).toEqual({
      currency: 'CNY',
      minorDigits: 2,
      total: { plan: 1000, used: 75, remaining: 925, overspent: 0, usedRatio: 0.075 },
      today: { plan: 400, used: 75, remaining: 325, overspent: 0, usedRatio: 0.1875, date: '2026-11-11' },
      byDate: [
        { date: '2026-11-10', used: 500 },
        { date: '2026-11-11', used: 75 },
      ],
    });
    expect(r.stock).toEqual([
      { rewardId: 'rp', plan: 10, used: 3, remaining: 7, overgranted: 0 },
      { rewardId: 'cp', plan: null, used: 1, remaining: null, overgranted: 0 },
    ]);
    const cut = buildReport(
      input({ usage: { stockUsed: { rp: 12 }, spent: 1200n, dailySpent: {}, grants: 12 } }),
    );
    expect([
      cut.stock[0]?.remaining,
      cut.budget.total?.remaining,
      cut.budget.total?.usedRatio,
      cut.budget.today?.used,
    ]).toEqual([0, 0, 1.2, 0]);
    const noBudget = buildReport(
      input({ definition: { ...definition, budget: undefined } as unknown as CampaignDefinition }),
    );
    expect(noBudget.budget).toEqual({
      currency: null,
      minorDigits: null,
      total: null,
      today: null,
      byDate: [
        { date: '2026-11-10', used: 500 },
        { date: '2026-11-11', used: 75 },
      ],
    });
  });

  // A version without a budget leaves the grants in the currency they were made in: not bare minor units.
  it('keeps the grants’ currency when the active version dropped its budget', () => {
    const { budget, ...unbudgeted } = definition;
    expect(budget?.currency).toBe('CNY');
    const r = buildReport(
      input({
        definition: unbudgeted,
        usage: { stockUsed: { rp: 3 }, spent: 75n, dailySpent: {}, grants: 3, currencies: ['CNY'] },
      }),
    );
    expect([r.campaign.currency, r.budget.currency, r.budget.minorDigits]).toEqual(['CNY', 'CNY', 2]);
    expect([r.budget.total, r.budget.today]).toEqual([null, null]);
    expect(reportTable(r).join('\n')).toMatch(/rp\s+red_packet\s+3\s+0\.45\s+0\.45/);
    expect(reportCsv(r)).toContain('budget,CNY,minor_digits,2');
    const never = buildReport(input({ definition: unbudgeted }));
    expect([never.campaign.currency, never.budget.minorDigits]).toEqual([null, null]);
  });

  it('is ok without open discrepancies and says how many are open otherwise', () => {
    expect(buildReport(input()).reconciliation).toMatchObject({
      state: 'ok',
      openDiscrepancies: 0,
      resolvedInRange: 2,
    });
    const at = new Date('2026-11-11T03:59:00Z');
    const r = buildReport(
      input({
        reconciliation: {
          openByKind: { missing_downstream: 2, record_mismatch: 1 },
          resolvedInRange: 0,
          lastRealtime: { status: 'ok', startedAt: at, finishedAt: null },
          lastOffline: null,
        },
      }),
    );
    expect(r.reconciliation).toEqual({
      state: 'discrepancies',
      openDiscrepancies: 3,
      openByKind: { missing_downstream: 2, record_mismatch: 1 },
      resolvedInRange: 0,
      lastRealtime: { status: 'ok', startedAt: at.toISOString(), finishedAt: null },
      lastOffline: null,
    });
  });

  it('is run_failed, not ok, when nothing is open because the last run failed', () => {
    // "reconciliation: ok, 0 open" read as all clear while the last offline run had failed and looked at nothing.
    const at = new Date('2026-11-11T03:30:00Z');
    const failed = { status: 'failed', startedAt: at, finishedAt: at };
    const completed = { ...failed, status: 'ok' };
    const state = (lastRealtime: typeof failed | null, lastOffline: typeof failed | null, open = {}) =>
      buildReport(
        input({ reconciliation: { openByKind: open, resolvedInRange: 0, lastRealtime, lastOffline } }),
      ).reconciliation.state;
    expect(state(completed, failed)).toBe('run_failed');
    expect(state(failed, completed)).toBe('run_failed');
    expect(state(completed, completed)).toBe('ok');
    expect(state(completed, failed, { missing_downstream: 1 })).toBe('discrepancies');
    expect(
      reportTable(
        buildReport(
          input({
            reconciliation: {
              openByKind: {},
              resolvedInRange: 0,
              lastRealtime: completed,
              lastOffline: failed,
            },
          }),
        ),
      ).join('\n'),
    ).toContain('reconciliation: run_failed, 0 open');
  });
});

describe('timeline', () => {
  it('labels shifted buckets at the local start they stand for', () => {
    // Day buckets in a +08:00 zone: bucket b covers [b × 86400 − 28800, …), i.e. local midnight to midnight.
    const first = Date.parse('2026-11-11T01:00:00+08:00') / 1000;
    const last = Date.parse('2026-11-12T23:00:00+08:00') / 1000;
    const shift = 8 * 3600;
    const bucket = Math.floor((first + shift) / 86400);
    const points = fillTimeline(86400, [{ bucket, participations: 2, grants: 1, spend: 5n }], first, last, [
      { since: first, shift },
    ]);
    expect(points.map((p) => [p.at, p.participations])).toEqual([
      ['2026-11-10T16:00:00.000Z', 2],
      ['2026-11-11T16:00:00.000Z', 0],
    ]);
  });

  it('picks the smallest bucket that keeps the span within the point budget', () => {
    const t0 = 1_700_000_000;
    expect(timelineBucketSeconds(t0, t0)).toBe(60);
    expect(timelineBucketSeconds(t0, t0 + 60 * 60)).toBe(60);
    expect(timelineBucketSeconds(t0, t0 + 5 * 3600)).toBe(300);
    expect(timelineBucketSeconds(t0, t0 + 24 * 3600)).toBe(900);
    expect(timelineBucketSeconds(t0, t0 + 14 * 86400)).toBe(3 * 3600);
    expect(timelineBucketSeconds(t0, t0 + 20 * 86400)).toBe(6 * 3600);
    expect(timelineBucketSeconds(t0, t0 + 365 * 86400)).toBe(4 * 86400);
    for (const span of [0, 59, 7201, 86400 * 3, 86400 * 1000]) {
      const size = timelineBucketSeconds(t0, t0 + span);
      expect(Math.floor((t0 + span) / size) - Math.floor(t0 / size)).toBeLessThan(MAX_TIMELINE_POINTS);
    }
  });

  it('keeps shifted hour and day buckets within the point budget too', () => {
    // 119.5 days from 08:53 UTC: 120 UTC days, but 121 days starting on +08:00 local midnights.
    const first = 1_795_000_000;
    const last = first + 119 * 86400 + 43200;
    const periods = [{ since: first, shift: 8 * 3600 }];
    const size = timelineBucketSeconds(first, last, periods);
    const points = fillTimeline(size, [], first, last, shiftsFor(size, periods));
    expect(points.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS);
  });

  // New York leaves DST on 2026-11-01 at 02:00 EDT (06:00 UTC). With the first point's offset for the whole
  // range, every day after it ran from 23:00 to 23:00 EST, so no day point was a business day.
  it('starts day points on local midnight on both sides of a DST change', () => {
    const zone = 'America/New_York';
    const first = Date.parse('2026-10-30T12:00:00-04:00') / 1000;
    const last = Date.parse('2026-11-03T12:00:00-05:00') / 1000;
    const periods = offsetPeriods(first, last, zone);
    expect(periods).toEqual([
      { since: first, shift: -4 * 3600 },
      { since: Date.parse('2026-11-01T06:00:00Z') / 1000, shift: -5 * 3600 },
    ]);
    const shifts = shiftsFor(86400, periods);
    const points = fillTimeline(86400, [], first, last, shifts);
    expect(points.map((p) => p.at)).toEqual([
      '2026-10-30T04:00:00.000Z',
      '2026-10-31T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      '2026-11-03T05:00:00.000Z',
    ]);
    // Each day point is one business day: an instant lands in the point of its business date, 25 hours for 11-01.
    for (const [at, day] of [
      ['2026-11-01T23:30:00-05:00', '2026-11-01T04:00:00.000Z'],
      ['2026-11-02T00:30:00-05:00', '2026-11-02T05:00:00.000Z'],
      ['2026-11-01T00:30:00-04:00', '2026-11-01T04:00:00.000Z'],
    ] as const) {
      const b = bucketIndex(Date.parse(at) / 1000, 86400, shifts);
      expect(new Date(bucketStart(b, 86400, shifts) * 1000).toISOString()).toBe(day);
      expect(businessDayBounds(businessDate(new Date(at), zone), zone).start.toISOString()).toBe(day);
    }
    // 3-hour points keep local 00:00, 03:00, …: 00:00–03:00 EDT/EST on the day of the change lasts 4 hours.
    const hours = fillTimeline(3 * 3600, [], first, last, shiftsFor(3 * 3600, periods)).map((p) => p.at);
    expect(hours).toContain('2026-11-01T04:00:00.000Z');
    expect(hours).toContain('2026-11-01T08:00:00.000Z');
    expect(hours).not.toContain('2026-11-01T07:00:00.000Z');
  });

  it('keeps 3-hour points on local hours where the spring change skips one', () => {
    const zone = 'America/New_York';
    const first = Date.parse('2026-03-07T12:00:00-05:00') / 1000;
    const last = Date.parse('2026-03-09T12:00:00-04:00') / 1000;
    const shifts = shiftsFor(3 * 3600, offsetPeriods(first, last, zone));
    const at = fillTimeline(3 * 3600, [], first, last, shifts).map((p) => p.at);
    // 00:00 EST (05:00 UTC), then 03:00 EDT (07:00 UTC): the skipped 02:00 leaves that point two hours long.
    expect(at).toContain('2026-03-08T05:00:00.000Z');
    expect(at).toContain('2026-03-08T07:00:00.000Z');
    expect(new Set(at).size).toBe(at.length);
  });

  it('drops a local day the zone skipped instead of drawing it twice', () => {
    // Samoa skipped 2011-12-30 moving across the date line (−10:00 to +14:00).
    const zone = 'Pacific/Apia';
    const first = Date.parse('2011-12-28T12:00:00-10:00') / 1000;
    const last = Date.parse('2012-01-01T12:00:00+14:00') / 1000;
    const shifts = shiftsFor(86400, offsetPeriods(first, last, zone));
    const at = fillTimeline(86400, [], first, last, shifts).map((p) => p.at);
    expect(new Set(at).size).toBe(at.length);
    expect(at).toHaveLength(4);
  });

  it('fills empty buckets with zeros between the first and last', () => {
    const points = fillTimeline(
      60,
      [
        { bucket: 10, participations: 2, grants: 1, spend: 5n },
        { bucket: 13, participations: 1, grants: 0, spend: 0n },
      ],
      600,
      13 * 60 + 30,
    );
    expect(points).toEqual([
      { at: new Date(600_000).toISOString(), participations: 2, grants: 1, spend: 5 },
      { at: new Date(660_000).toISOString(), participations: 0, grants: 0, spend: 0 },
      { at: new Date(720_000).toISOString(), participations: 0, grants: 0, spend: 0 },
      { at: new Date(780_000).toISOString(), participations: 1, grants: 0, spend: 0 },
    ]);
    expect(fillTimeline(60, [], null, null)).toEqual([]);
  });
});

describe('rendering', () => {
  const report = buildReport(
    input({
      timeline: {
        bucketSeconds: 60,
        buckets: [{ bucket: 100, participations: 1, grants: 1, spend: 15n }],
        first: 6000,
        last: 6000,
      },
    }),
  );

  it('prints the funnel with shares, refusals, segments, rewards, budget, stock and status lines', () => {
    const text = reportTable(report).join('\n');
    expect(text).toContain('sale (Sale) version 3, PAUSED');
    expect(text).toMatch(/participations\s+13\s+100\.0%/);
    expect(text).toMatch(/granted\s+6\s+46\.2%/);
    expect(text).toMatch(/not_eligible\s+3/);
    // Money in major units of the budget's currency (the JSON and CSV keep minor units).
    expect(text).toMatch(/segment\s+grants\s+spend CNY\s+amount CNY/);
    expect(text).toMatch(/\(fallback\)\s+1\s+0\.00\s+0\.00/);
    expect(text).toMatch(/daily 2026-11-11\s+4\.00\s+0\.75\s+3\.25\s+18\.8%/);
    expect(text).toMatch(/cp\s+-\s+1\s+-/);
    expect(text).toContain(
      'delivery: delivered 3, void 1, pending 1; consolations 1 (nothing to deliver); backlog 1, given up 0, lag 91 s',
    );
    expect(text).toContain(
      'reconciliation: ok, 0 open, 2 resolved; last real-time run never, last offline run never',
    );
  });

  // A finance reader had counts by status only: how much of the spend was paid, owed, or given back by voids?
  it('splits the spend by delivery status, what voids gave back apart, in the table and the CSV', () => {
    expect(report.delivery.spendByStatus).toEqual({ delivered: 45, void: 20, pending: 30 });
    const charged =
      Number(report.delivery.spendByStatus['delivered']) + Number(report.delivery.spendByStatus['pending']);
    expect(charged).toBe(report.budget.total?.used);
    const text = reportTable(report).join('\n');
    expect(text).toContain('spend by delivery CNY: delivered 0.45, pending 0.30; void 0.20 given back');
    // Each business day's spend, what only today's daily budget line showed before.
    expect(text).toMatch(/business day\s+spend CNY\n[- ]+\n2026-11-10\s+5\.00\n2026-11-11\s+0\.75/);
    const csv = reportCsv(report).split('\n');
    expect(csv).toEqual(
      expect.arrayContaining([
        'day,2026-11-10,spend,500',
        'day,2026-11-11,spend,75',
        'delivery,delivered,spend,45',
        'delivery,pending,spend,30',
        // Not `spend`: a pivot on metric `spend` summed it with the money paid and owed, above the budget used.
        'delivery,void,given_back,20',
      ]),
    );
    expect(csv.filter((row) => row.startsWith('delivery,') && row.endsWith(',spend,20'))).toEqual([]);
  });

  // `--from 2026-11-11T00:00:00+08:00` came back as 2026-11-10T16:00:00.000Z, a day earlier to its reader.
  it('shows the range, the generation and the runs on the campaign’s clock', () => {
    const text = reportTable(
      buildReport(
        input({
          range: { from: '2026-11-10T16:00:00.000Z', to: '2026-11-11T16:00:00.000Z' },
          reconciliation: {
            openByKind: {},
            resolvedInRange: 0,
            lastRealtime: { status: 'ok', startedAt: new Date('2026-11-11T03:59:00Z'), finishedAt: null },
            lastOffline: null,
          },
        }),
      ),
    ).join('\n');
    expect(text).toContain(
      'report 2026-11-11T00:00:00+08:00 .. 2026-11-12T00:00:00+08:00; generated 2026-11-11T12:00:00+08:00',
    );
    // `completed`, not `ok`: a run that found discrepancies finished ok, and "ok" read as "nothing found".
    expect(text).toContain('last real-time run completed at 2026-11-11T11:59:00+08:00');
  });

  // The outbox's given-up entries are the failed grants plus the dead ones: "dead 1 … dead 2" read as three.
  it('names the entries given up on apart from the dead grants', () => {
    const text = reportTable(
      buildReport(
        input({
          grants: [
            {
              segmentId: 'all',
              rewardId: 'rp',
              rewardType: 'red_packet',
              status: 'failed',
              grants: 1,
              delivered: 0,
              spend: 5n,
              amount: 5n,
            },
            {
              segmentId: 'all',
              rewardId: 'rp',
              rewardType: 'red_packet',
              status: 'dead',
              grants: 1,
              delivered: 0,
              spend: 5n,
              amount: 5n,
            },
          ],
          outbox: { pending: 0, dead: 2, oldestPendingAt: null },
        }),
      ),
    ).join('\n');
    expect(text).toContain('delivery: failed 1, dead 1; backlog 0, given up 2, lag 0 s');
  });

  // After a forced budget cut, "plan 50.000, used 60.229, remaining 0.000" did not add up.
  it('shows what a line used beyond its plan, so plan = used + remaining − overspent', () => {
    const cut = buildReport(
      input({
        definition: { ...definition, budget: { currency: 'KWD', total: 50_000, daily: 400 } },
        usage: { stockUsed: {}, spent: 60_229n, dailySpent: { '2026-11-11': 300n }, grants: 9 },
      }),
    );
    expect(cut.budget.total).toEqual({
      plan: 50_000,
      used: 60_229,
      remaining: 0,
      overspent: 10_229,
      usedRatio: 60_229 / 50_000,
    });
    expect(cut.budget.today).toMatchObject({ plan: 400, used: 300, remaining: 100, overspent: 0 });
    const text = reportTable(cut).join('\n');
    expect(text).toMatch(/budget KWD\s+plan\s+used\s+remaining\s+overspent\s+used %/);
    expect(text).toMatch(/total\s+50\.000\s+60\.229\s+0\.000\s+10\.229\s+120\.5%/);
    expect(text).toMatch(/daily 2026-11-11\s+0\.400\s+0\.300\s+0\.100\s+0\.000\s+75\.0%/);
    expect(reportCsv(cut).split('\n')).toEqual(
      expect.arrayContaining(['budget,total,overspent,10229', 'budget,daily,overspent,0']),
    );
    // Within plan the table keeps its columns.
    expect(reportTable(report).join('\n')).not.toContain('overspent');
  });

  // After a forced rollback to a smaller stock, "plan 20 used 30 remaining 0" did not add up either.
  it('shows what a reward granted beyond its plan, so plan = used + remaining − overgranted', () => {
    const cut = buildReport(
      input({ usage: { stockUsed: { rp: 13, cp: 1 }, spent: 75n, dailySpent: {}, grants: 14 } }),
    );
    expect(cut.stock).toEqual([
      { rewardId: 'rp', plan: 10, used: 13, remaining: 0, overgranted: 3 },
      { rewardId: 'cp', plan: null, used: 1, remaining: null, overgranted: 0 },
    ]);
    const text = reportTable(cut).join('\n');
    expect(text).toMatch(/stock\s+plan\s+used\s+remaining\s+overgranted\n/);
    expect(text).toMatch(/rp\s+10\s+13\s+0\s+3\n/);
    expect(text).toMatch(/cp\s+-\s+1\s+-\s+0\n/);
    expect(reportCsv(cut).split('\n')).toEqual(
      expect.arrayContaining(['stock,rp,overgranted,3', 'stock,cp,overgranted,0']),
    );
    // Within plan the table keeps its columns.
    expect(reportTable(report).join('\n')).not.toContain('overgranted');
  });

  it('never shows 100.0% used while some remains', () => {
    const nearly = buildReport(input({ usage: { stockUsed: {}, spent: 1_999n, dailySpent: {}, grants: 1 } }));
    const text = reportTable({
      ...nearly,
      budget: {
        ...nearly.budget,
        total: { plan: 2000, used: 1999, remaining: 1, overspent: 0, usedRatio: 0.9995 },
      },
    }).join('\n');
    expect(text).toMatch(/total\s+20\.00\s+19\.99\s+0\.01\s+99\.9%/);
  });

  it('writes CSV in long form, one number per line, quoting what needs it', () => {
    const csv = reportCsv(report).split('\n');
    expect(csv[0]).toBe('section,key,metric,value');
    expect(csv).toEqual(
      expect.arrayContaining([
        'funnel,,participations,13',
        'outcome,blocked,count,2',
        'segment,all,spend,75',
        'segment,,grants,1',
        'reward,cp,amount,100',
        'budget,CNY,minor_digits,2',
        'budget,total,remaining,925',
        'budget,daily,used,75',
        // A nightly export at 00:05 reads the new day's zeros: the date and the range say which figures these are.
        'budget,daily,business_date,2026-11-11',
        `report,,generated_at,${report.generatedAt}`,
        'report,,from,',
        'report,,to,',
        'stock,cp,plan,',
        'delivery,void,grants,1',
        'reconciliation,,resolved,2',
        // Keyed on the campaign's clock: 6,000 s after the epoch, 01:40 UTC, is 09:40 in Shanghai.
        'timeline,1970-01-01T09:40:00+08:00,spend,15',
        'testers,,grants,1',
      ]),
    );
    const odd = reportCsv({
      ...report,
      byReward: [{ rewardId: 'a,"b"', type: 'coupon', grants: 1, spend: 1, amount: 1 }],
    });
    expect(odd).toContain('reward,"a,""b""",grants,1');
  });

  // Quotes alone do not stop a spreadsheet running "=…" as a formula; a leading apostrophe does.
  it('makes CSV text a spreadsheet would run as a formula inert, and leaves negative numbers numbers', () => {
    const csv = reportCsv({
      ...report,
      byReward: [
        { rewardId: '=HYPERLINK("x")', type: 'coupon', grants: 1, spend: -5, amount: 1 },
        { rewardId: '@SUM(A1)', type: 'coupon', grants: 1, spend: 1, amount: 1 },
        { rewardId: '\tx', type: 'coupon', grants: 1, spend: 1, amount: 1 },
      ],
    }).split('\n');
    expect(csv).toEqual(
      expect.arrayContaining([
        `reward,"'=HYPERLINK(""x"")",spend,-5`,
        `reward,'@SUM(A1),grants,1`,
        `reward,'\tx,grants,1`,
      ]),
    );
  });

  // The CSV keyed the points by UTC instants: finance read 2026-11-10T16:00:00.000Z for the day 2026-11-11.
  it('keys the timeline by local starts, with the business date of each day point', () => {
    const first = Date.parse('2026-11-11T01:00:00+08:00') / 1000;
    const shanghai = buildReport(
      input({
        timeline: {
          bucketSeconds: 86400,
          shifts: [{ since: first, shift: 8 * 3600 }],
          buckets: [
            { bucket: Math.floor((first + 8 * 3600) / 86400), participations: 4, grants: 2, spend: 1234n },
          ],
          first,
          last: first + 86400,
        },
      }),
    );
    expect(shanghai.timeline.points[0]?.at).toBe('2026-11-10T16:00:00.000Z');
    const csv = reportCsv(shanghai).split('\n');
    expect(csv.filter((line) => line.startsWith('timeline,'))).toEqual([
      'timeline,2026-11-11T00:00:00+08:00,business_date,2026-11-11',
      'timeline,2026-11-11T00:00:00+08:00,participations,4',
      'timeline,2026-11-11T00:00:00+08:00,grants,2',
      'timeline,2026-11-11T00:00:00+08:00,spend,1234',
      'timeline,2026-11-12T00:00:00+08:00,business_date,2026-11-12',
      'timeline,2026-11-12T00:00:00+08:00,participations,0',
      'timeline,2026-11-12T00:00:00+08:00,grants,0',
      'timeline,2026-11-12T00:00:00+08:00,spend,0',
    ]);
    // The table printed no timeline at all: one line per point, spend in major units.
    const text = reportTable(shanghai).join('\n');
    expect(text).toMatch(
      /timeline \(1 day points\)\s+participations\s+grants\s+spend CNY\n[- ]+\n2026-11-11T00:00:00\+08:00\s+4\s+2\s+12\.34\n2026-11-12T00:00:00\+08:00\s+0\s+0\s+0\.00$/,
    );
  });

  // New York leaves DST on 2026-11-01: the offset in the key follows it, and each day point stays its business day.
  it('keys day points across a DST change with the offset of each, and the day a range starts late on', () => {
    const zone = 'America/New_York';
    const ny = (first: string, last: string): CampaignReport => {
      const [a, b] = [Date.parse(first) / 1000, Date.parse(last) / 1000];
      return buildReport(
        input({
          definition: { ...definition, timezone: zone },
          timeline: {
            bucketSeconds: 86400,
            shifts: timelineShifts(a, b, 86400, zone),
            buckets: [],
            first: a,
            last: b,
          },
        }),
      );
    };
    const fall = reportCsv(ny('2026-10-31T12:00:00-04:00', '2026-11-02T12:00:00-05:00')).split('\n');
    expect(fall.filter((line) => line.includes(',business_date,') && line.startsWith('timeline'))).toEqual([
      'timeline,2026-10-31T00:00:00-04:00,business_date,2026-10-31',
      'timeline,2026-11-01T00:00:00-04:00,business_date,2026-11-01',
      'timeline,2026-11-02T00:00:00-05:00,business_date,2026-11-02',
    ]);
    // A range from 05:00 on the spring change's day: its first point starts at that day's midnight, still EST
    // (it was drawn from 23:00 EST the day before: midnight at the offset of the range's start).
    const spring = reportCsv(ny('2026-03-08T05:00:00-04:00', '2026-03-09T12:00:00-04:00')).split('\n');
    expect(spring.filter((line) => line.startsWith('timeline,') && line.includes(',business_date,'))).toEqual(
      [
        'timeline,2026-03-08T00:00:00-05:00,business_date,2026-03-08',
        'timeline,2026-03-09T00:00:00-04:00,business_date,2026-03-09',
      ],
    );
    // And from noon on the fall change's day: that day's midnight was still EDT.
    const late = reportCsv(ny('2026-11-01T12:00:00-05:00', '2026-11-02T12:00:00-05:00')).split('\n');
    expect(late.filter((line) => line.startsWith('timeline,') && line.includes(',business_date,'))).toEqual([
      'timeline,2026-11-01T00:00:00-04:00,business_date,2026-11-01',
      'timeline,2026-11-02T00:00:00-05:00,business_date,2026-11-02',
    ]);
  });

  it('gives points under a day no business date, and the table their span', () => {
    const hourly = buildReport(
      input({
        timeline: {
          bucketSeconds: 3 * 3600,
          buckets: [],
          first: Date.parse('2026-11-11T01:00:00+08:00') / 1000,
          last: Date.parse('2026-11-11T04:00:00+08:00') / 1000,
          shifts: [{ since: 0, shift: 8 * 3600 }],
        },
      }),
    );
    expect(
      reportCsv(hourly)
        .split('\n')
        .filter((l) => l.startsWith('timeline,')),
    ).toEqual([
      'timeline,2026-11-11T00:00:00+08:00,participations,0',
      'timeline,2026-11-11T00:00:00+08:00,grants,0',
      'timeline,2026-11-11T00:00:00+08:00,spend,0',
      'timeline,2026-11-11T03:00:00+08:00,participations,0',
      'timeline,2026-11-11T03:00:00+08:00,grants,0',
      'timeline,2026-11-11T03:00:00+08:00,spend,0',
    ]);
    expect(reportTable(hourly).slice(-4)).toEqual([
      'timeline (3 h points)      participations  grants  spend CNY',
      '-------------------------  --------------  ------  ---------',
      '2026-11-11T00:00:00+08:00  0               0       0.00',
      '2026-11-11T03:00:00+08:00  0               0       0.00',
    ]);
    expect([900, 3600, 86400, 4 * 86400].map(pointSpan)).toEqual(['15 min', '1 h', '1 day', '4 days']);
    const empty = reportTable(buildReport(input())).join('\n');
    expect(empty).toMatch(
      /timeline \(1 min points\)\s+participations\s+grants\s+spend CNY\n[- ]+\n\(none\)\s+0\s+0\s+0\.00$/,
    );
  });
});
