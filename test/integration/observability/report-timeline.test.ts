/**
 * The report's day points across a DST change, on both backends: each one is a business day of the campaign
 * zone, so its spend is the ledger's spend on that business date (what the daily budget counts).
 */
import { businessDate, businessDayBounds } from '../../../src/decision/business-date';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, removeDir, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  MovingClock,
  participate,
  reportPocket,
  reportYaml,
  writeReportDefinitions,
} from './observability-fixtures';

const ZONE = 'America/New_York';

/** New York leaves DST on 2026-11-01 at 02:00 EDT; these straddle it and local midnights on either side. */
const TIMES = [
  '2026-10-02T12:00:00-04:00',
  '2026-10-31T23:30:00-04:00',
  '2026-11-01T00:30:00-04:00',
  '2026-11-01T01:30:00-05:00',
  '2026-11-01T23:30:00-05:00',
  '2026-11-02T00:30:00-05:00',
  '2026-11-02T23:59:00-05:00',
  '2026-11-20T12:00:00-05:00',
];

describeEachBackend('report timeline across a DST change', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  const clock = new MovingClock(new Date(TIMES[0] ?? ''));

  beforeAll(async () => {
    root = writeReportDefinitions(
      reportYaml
        .replace(
          'window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }',
          'window: { start: 2026-10-01T00:00:00-04:00, end: 2026-12-01T00:00:00-05:00 }',
        )
        .replace('timezone: Asia/Shanghai', `timezone: ${ZONE}`),
    );
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, clock);
    let n = 0;
    for (const at of TIMES) {
      clock.advance(Date.parse(at) - clock.now().getTime());
      const res = await participate(pocket, `member-${++n}`);
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it('draws one day point per business day, holding that date’s spend', async () => {
    const { timeline } = await pocket.reports.report(CAMPAIGN);
    expect(timeline.bucketSeconds).toBe(86400);
    const rows = (await backends.ledger
      .db('grants')
      .where({ campaign_id: CAMPAIGN })
      .groupBy('business_date')
      .select('business_date')
      .sum({ spend: 'charge' })) as Array<{ business_date: string; spend: unknown }>;
    const spendOn = new Map(rows.map((r) => [r.business_date, Number(r.spend)]));
    for (const point of timeline.points) {
      const date = businessDate(new Date(point.at), ZONE);
      expect([date, point.at]).toEqual([date, businessDayBounds(date, ZONE).start.toISOString()]);
      expect([date, point.spend]).toEqual([date, spendOn.get(date) ?? 0]);
    }
    const around = timeline.points.filter((p) => p.at >= '2026-10-31' && p.at < '2026-11-03');
    expect(around.map((p) => [p.at, p.grants])).toEqual([
      ['2026-10-31T04:00:00.000Z', 1],
      ['2026-11-01T04:00:00.000Z', 3],
      ['2026-11-02T05:00:00.000Z', 2],
    ]);
  });
});
