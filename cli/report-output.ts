/**
 * `pocket report` output, pure: the campaign report as text tables (`--format table`) and as CSV in long form
 * (`section,key,metric,value`, one number per line), which spreadsheets pivot and scripts grep.
 */
import type { CampaignReport, ReconcileRunView } from '../src/observability/report/campaign-report';
import { csvCell, type Cell } from './csv-cell';
import { localTime } from '../src/shared/local-time';
import { majorUnits, percentOf, type Minor } from '../src/shared/money';
import { table } from './output';
import { timelineCsvRows, timelineTable } from './report-timeline';

const orDash = (v: number | null): Cell => (v === null ? '-' : v);

export function reportTable(r: CampaignReport): string[] {
  const currency = r.budget.currency ?? '';
  // Money columns in major units of the budget's currency (the JSON and CSV keep integer minor units).
  const money = (minor: Minor): string => majorUnits(minor, r.budget.currency);
  // Times on the campaign's clock, as the window and the daily budget's date are (the JSON keeps UTC).
  const local = (iso: string): string => localTime(iso, r.campaign.timezone);
  const range = `${r.range.from ? local(r.range.from) : 'start'} .. ${r.range.to ? local(r.range.to) : 'now'}`;
  const lines = [
    `${r.campaignId} (${r.campaign.name}) version ${r.campaign.version}${r.campaign.paused ? ', PAUSED' : ''}`,
    `window ${r.campaign.window.start} .. ${r.campaign.window.end}; report ${range}; generated ${local(r.generatedAt)}`,
    '',
    ...table(
      ['funnel', 'count', 'of participations'],
      (['participations', 'eligible', 'granted', 'delivered'] as const).map((k) => [
        k,
        r.funnel[k],
        percentOf(r.funnel[k], r.funnel.participations),
      ]),
    ),
    '',
    ...table(
      ['refusal', 'count'],
      r.refusals.length > 0 ? r.refusals.map((x) => [x.reason, x.count]) : [['(none)', 0]],
    ),
    '',
    ...table(
      ['segment', 'grants', `spend ${currency}`.trim(), `amount ${currency}`.trim()],
      r.bySegment.map((s) => [s.segmentId ?? '(fallback)', s.grants, money(s.spend), money(s.amount)]),
    ),
    '',
    ...table(
      ['reward', 'type', 'grants', `spend ${currency}`.trim(), `amount ${currency}`.trim()],
      r.byReward.map((x) => [x.rewardId, x.type, x.grants, money(x.spend), money(x.amount)]),
    ),
    '',
    ...budgetTable(r, money),
    '',
    ...table(
      ['business day', `spend ${currency}`.trim()],
      r.budget.byDate.length > 0
        ? r.budget.byDate.map((d) => [d.date, money(d.used)])
        : [['(none)', money(0)]],
    ),
    '',
    ...stockTable(r),
    '',
    `delivery: ${
      Object.entries(r.delivery.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ') || 'no grants'
    }${r.delivery.consolations > 0 ? `; consolations ${r.delivery.consolations} (nothing to deliver)` : ''}; backlog ${r.delivery.backlog}, given up ${r.delivery.dead}, lag ${r.delivery.lagSeconds} s`,
    spendByDelivery(r, money),
    `reconciliation: ${r.reconciliation.state}, ${r.reconciliation.openDiscrepancies} open${
      Object.keys(r.reconciliation.openByKind).length > 0
        ? ` (${Object.entries(r.reconciliation.openByKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''
    }, ${r.reconciliation.resolvedInRange} resolved; last real-time run ${runText(r.reconciliation.lastRealtime, local)}, last offline run ${runText(r.reconciliation.lastOffline, local)}`,
    `testers (not counted above): ${r.testers.participations} participations, ${r.testers.grants} grants`,
    '',
    ...timelineTable(r, money),
  ];
  return lines;
}

/**
 * The stock lines against plan; as the budget's, a reward granted beyond its plan (a stock cut below what was
 * granted, forced through) gets an `overgranted` column: plan 20, used 30, remaining 0 added up to nothing.
 */
function stockTable(r: CampaignReport): string[] {
  const over = r.stock.some((s) => s.overgranted > 0);
  return table(
    ['stock', 'plan', 'used', 'remaining', ...(over ? ['overgranted'] : [])],
    r.stock.map((s) => [
      s.rewardId,
      orDash(s.plan),
      s.used,
      orDash(s.remaining),
      ...(over ? [s.overgranted] : []),
    ]),
  );
}

/**
 * The budget lines against plan. `remaining` stops at 0; a line used beyond its plan (a budget cut below what was
 * spent, forced through) gets an `overspent` column, so that plan = used + remaining − overspent can be read off
 * the line: 50.000 planned, 60.229 used and 0.000 remaining added up to nothing.
 */
function budgetTable(r: CampaignReport, money: (minor: Minor) => string): string[] {
  const lines = [
    ['total', r.budget.total],
    [`daily ${r.budget.today?.date ?? ''}`, r.budget.today],
  ] as const;
  const present = lines.flatMap(([label, line]) => (line ? [[label, line] as const] : []));
  const over = present.some(([, line]) => BigInt(line.overspent) > 0n);
  return table(
    [
      `budget ${r.budget.currency ?? ''}`.trim(),
      'plan',
      'used',
      'remaining',
      ...(over ? ['overspent'] : []),
      'used %',
    ],
    present.map(([label, line]) => [
      label,
      money(line.plan),
      money(line.used),
      money(line.remaining),
      ...(over ? [money(line.overspent)] : []),
      percentOf(line.used, line.plan),
    ]),
  );
}

/**
 * A reconciliation run's state: `completed` for a run that finished (status `ok`: it read what it had to, whatever
 * it found, which the open discrepancies say), "last offline run ok" read as "nothing found". Else its status.
 */
function runText(run: ReconcileRunView | null, local: (iso: string) => string): string {
  if (!run) return 'never';
  return `${run.status === 'ok' ? 'completed' : run.status} at ${local(run.startedAt)}`;
}

/**
 * What the spend is, by delivery status: paid, owed, charged while a person decides, and what voids gave back
 * (in no spend figure). Counts alone left a finance reader to guess how much of the spend reached users.
 */
function spendByDelivery(r: CampaignReport, money: (minor: Minor) => string): string {
  const { void: voided, ...charged } = r.delivery.spendByStatus;
  const parts = Object.entries(charged).map(([s, minor]) => `${s} ${money(minor)}`);
  const back = voided === undefined ? '' : `; void ${money(voided)} given back`;
  return `spend by delivery${r.budget.currency ? ` ${r.budget.currency}` : ''}: ${parts.join(', ') || 'none'}${back}`;
}

export function reportCsv(r: CampaignReport): string {
  const rows: Array<[string, string, string, Cell | null]> = [];
  const push = (section: string, key: string, metric: string, value: Cell | null): void => {
    rows.push([section, key, metric, value]);
  };
  // What the figures are of: the range (empty: open), when they were read, and the daily budget's date below.
  push('report', '', 'from', r.range.from);
  push('report', '', 'to', r.range.to);
  push('report', '', 'generated_at', r.generatedAt);
  for (const [k, v] of Object.entries(r.funnel)) push('funnel', '', k, v);
  for (const [k, v] of Object.entries(r.outcomes)) push('outcome', k, 'count', v);
  for (const s of r.bySegment) {
    for (const m of ['grants', 'spend', 'amount'] as const) push('segment', s.segmentId ?? '', m, s[m]);
  }
  for (const x of r.byReward) {
    for (const m of ['grants', 'spend', 'amount'] as const) push('reward', x.rewardId, m, x[m]);
  }
  // What the money figures count: minor units of this currency, 10^minor_digits to a major unit.
  if (r.budget.currency !== null && r.budget.minorDigits !== null) {
    push('budget', r.budget.currency, 'minor_digits', r.budget.minorDigits);
  }
  for (const [key, line] of [
    ['total', r.budget.total],
    ['daily', r.budget.today],
  ] as const) {
    if (!line) continue;
    for (const m of ['plan', 'used', 'remaining', 'overspent'] as const) push('budget', key, m, line[m]);
  }
  if (r.budget.today) push('budget', 'daily', 'business_date', r.budget.today.date);
  for (const d of r.budget.byDate) push('day', d.date, 'spend', d.used);
  for (const s of r.stock) {
    push('stock', s.rewardId, 'plan', s.plan);
    push('stock', s.rewardId, 'used', s.used);
    push('stock', s.rewardId, 'remaining', s.remaining);
    push('stock', s.rewardId, 'overgranted', s.overgranted);
  }
  for (const [status, n] of Object.entries(r.delivery.byStatus)) push('delivery', status, 'grants', n);
  // What voids gave back is in no spend figure: a pivot on metric `spend` added it to the money paid and owed.
  for (const [status, n] of Object.entries(r.delivery.spendByStatus))
    push('delivery', status, status === 'void' ? 'given_back' : 'spend', n);
  push('delivery', '', 'consolations', r.delivery.consolations);
  push('delivery', '', 'backlog', r.delivery.backlog);
  push('delivery', '', 'dead', r.delivery.dead);
  push('delivery', '', 'lag_seconds', r.delivery.lagSeconds);
  push('reconciliation', '', 'open', r.reconciliation.openDiscrepancies);
  for (const [kind, n] of Object.entries(r.reconciliation.openByKind))
    push('reconciliation', kind, 'open', n);
  push('reconciliation', '', 'resolved', r.reconciliation.resolvedInRange);
  // Keyed by each point's start on the campaign's clock, as its hours and days are drawn (the JSON keeps UTC).
  for (const row of timelineCsvRows(r)) push(...row);
  push('testers', '', 'participations', r.testers.participations);
  push('testers', '', 'grants', r.testers.grants);
  return ['section,key,metric,value', ...rows.map((row) => row.map(csvCell).join(','))].join('\n') + '\n';
}
