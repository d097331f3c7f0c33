/**
 * `pocket report`'s timeline in the text outputs, pure: each point keyed by its start on the campaign's clock
 * (`2026-11-11T00:00:00+08:00`), as its hour and day points are drawn. The JSON keeps the UTC instant (`at`);
 * the CSV printed it too, so finance read `2026-11-10T16:00:00.000Z` for the business day 2026-11-11.
 */
import { businessDate } from '../src/decision/business-date';
import type { CampaignReport, TimelinePoint } from '../src/observability/report/campaign-report';
import type { Cell } from './csv-cell';
import { localTime } from '../src/shared/local-time';
import type { Minor } from '../src/shared/money';
import { table } from './output';

const DAY = 86400;
/** Half a day: past any offset error of a point's start, and still inside its first business day. */
const NOON = 43200;

/** How long each point is: "1 min", "15 min", "1 h", "6 h", "1 day", "4 days". */
export function pointSpan(bucketSeconds: number): string {
  if (bucketSeconds % DAY === 0) return `${bucketSeconds / DAY} day${bucketSeconds === DAY ? '' : 's'}`;
  if (bucketSeconds % 3600 === 0) return `${bucketSeconds / 3600} h`;
  return `${Math.round(bucketSeconds / 60)} min`;
}

/**
 * The business date a point of whole days starts (the daily budget's date, the CSV's `day` rows), else null.
 * Read at the point's first noon rather than at its start, local midnight, so that no rounding at a DST change
 * (which moves midnight's offset, never noon's date) can name the day before.
 */
function pointDate(p: TimelinePoint, bucketSeconds: number, timeZone: string): string | null {
  if (bucketSeconds % DAY !== 0) return null;
  return businessDate(new Date(Date.parse(p.at) + NOON * 1000), timeZone);
}

/** The CSV rows of the timeline: `timeline,<local start>,participations|grants|spend|business_date,value`. */
export function timelineCsvRows(r: CampaignReport): Array<[string, string, string, Cell]> {
  const { bucketSeconds, points } = r.timeline;
  return points.flatMap((p) => {
    const key = localTime(p.at, r.campaign.timezone);
    const date = pointDate(p, bucketSeconds, r.campaign.timezone);
    return [
      ...(date === null ? [] : [['timeline', key, 'business_date', date] as [string, string, string, Cell]]),
      ['timeline', key, 'participations', p.participations],
      ['timeline', key, 'grants', p.grants],
      ['timeline', key, 'spend', p.spend],
    ];
  });
}

/** The table of the timeline: one line per point (at most 120), from its local start, spend in major units. */
export function timelineTable(r: CampaignReport, money: (minor: Minor) => string): string[] {
  const { bucketSeconds, points } = r.timeline;
  const zone = r.campaign.timezone;
  return table(
    [
      `timeline (${pointSpan(bucketSeconds)} points)`,
      'participations',
      'grants',
      `spend ${r.budget.currency ?? ''}`.trim(),
    ],
    points.length > 0
      ? points.map((p) => [localTime(p.at, zone), p.participations, p.grants, money(p.spend)])
      : [['(none)', 0, 0, money(0)]],
  );
}
