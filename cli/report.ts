/**
 * `pocket report <campaign> [--from] [--to] [--format table|json|csv]`: the funnel, grants and spend by segment
 * and reward, refusals, budget and stock against plan, delivery and reconciliation — from the ledger of this
 * environment, or from a running service (`--server URL --token T`, scope read).
 */
import type { Command } from 'commander';
import { campaignArgument } from './campaign-argument';
import type { FieldError } from '../src/errors/app-error';
import { KnexCampaignVersionStore } from '../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../src/ledger/knex-grant-store';
import type { CampaignReport } from '../src/observability/report/campaign-report';
import { KnexReportReads } from '../src/observability/report/knex-report-reads';
import { parseReportTime } from '../src/observability/report/report-controller';
import { ReportService } from '../src/observability/report/report-service';
import { AdminClient } from './admin-client';
import { withLedgerDb } from './ledger-session';
import { target, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { reportCsv, reportTable } from './report-output';
import { action, CliFailure, parseFormat, printJson, printLines, readingAs } from './output';

interface Options extends TargetOptions {
  from?: string;
  to?: string;
  format: string;
}

function times(opts: Options): { from: Date | null; to: Date | null } {
  const fields: FieldError[] = [];
  const from = parseReportTime(opts.from, '--from', fields);
  const to = parseReportTime(opts.to, '--to', fields);
  if (fields.length > 0) throw new CliFailure(fields.map((f) => `${f.path} ${f.message}`).join('\n'), 2);
  if (from && to && from >= to) throw new CliFailure('--from must be before --to', 2);
  return { from, to };
}

async function fetchReport(campaignId: string, opts: Options): Promise<CampaignReport> {
  const { from, to } = times(opts);
  const remote = target(opts);
  if (remote) {
    const params = new URLSearchParams();
    if (from) params.set('from', from.toISOString());
    if (to) params.set('to', to.toISOString());
    const query = params.size > 0 ? `?${params.toString()}` : '';
    return new AdminClient(remote.server, remote.token).get<CampaignReport>(
      `/admin/campaigns/${encodeURIComponent(campaignId)}/report${query}`,
      { campaignId: 'string', campaign: 'object', funnel: 'object', budget: 'object' },
    );
  }
  return withLedgerDb((db) =>
    new ReportService({
      db,
      versions: new KnexCampaignVersionStore(),
      grants: new KnexGrantStore(),
      reads: new KnexReportReads(),
      clock: () => new Date(),
    }).report(campaignId, { from, to }),
  );
}

export function registerReport(program: Command): void {
  withTargetOptions(
    program
      .command('report <campaign>')
      .description(
        'the campaign report: funnel, grants and spend, refusals, budget and stock, reconciliation',
      )
      .option('--from <time>', 'ISO 8601 start (inclusive) of participations and grants counted')
      .option('--to <time>', 'ISO 8601 end (exclusive)')
      .option('--format <format>', 'table | json | csv', 'table'),
  ).action(
    action(async (campaignId: string, opts: Options) => {
      const format = parseFormat(opts.format, ['table', 'json', 'csv']);
      campaignArgument(campaignId);
      const report = await readingAs(() => fetchReport(campaignId, opts));
      if (format === 'json') printJson(report);
      else if (format === 'csv') process.stdout.write(reportCsv(report));
      else printLines(reportTable(report));
    }),
  );
}
