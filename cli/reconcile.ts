/**
 * `pocket reconcile [--since] [--until] [--campaign] [--grace] [--format table|json]`: one offline reconciliation
 * of the ledger against the issuers' records; prints a summary, lists the grants the ledger gave up on (failed or
 * dead-lettered) that no issuer has, counts the delivered ones left at an issuer no longer configured for their
 * type (per issuer), and exits 1 while discrepancies it found remain unresolved (those grants' included), 2 for
 * a bad option or a campaign the ledger does not know. Differences a person resolved
 * (`pocket discrepancies resolve`) and that are found again unchanged are printed as acknowledged and do not
 * count. An issuer whose listing cannot be read in full (down, an error status, not a page, a cursor that never
 * ends) fails the run before it changes anything: one line naming the issuer, its URL and why, exit 1.
 */
import type { Command } from 'commander';
import { IssuerListingError } from '../src/integrations/issuer-listing-error';
import { KnexCampaignVersionStore } from '../src/ledger/knex-campaign-version-store';
import type { OfflineSummary } from '../src/reconciliation/offline-reconciler';
import { OfflineWindowError } from '../src/reconciliation/offline-reconciler';
import { parseTime } from './definitions';
import { formatMoney, totalsText } from '../src/shared/money';
import { action, CliFailure, parseFormat, printJson, printLines, table } from './output';
import { withWorkerRuntime } from './worker-runtime';

/** One year: a longer grace leaves nothing recent to reconcile. */
const MAX_GRACE_MINUTES = 525_600;

interface Options {
  since?: string;
  until?: string;
  campaign?: string;
  grace: string;
  format: string;
}

/**
 * The delivered grants the ledger recorded at an issuer no longer configured for their type (an issuer moved to
 * a new URL): not reconciled, and not redelivered to the new one.
 */
function elsewhere(summary: OfflineSummary): string[] {
  if (summary.elsewhere === 0) return [];
  return [
    '',
    `${summary.elsewhere} delivered to an issuer no longer configured for their type (not reconciled, not redelivered):`,
    ...table(
      ['issuer', 'grants'],
      summary.elsewhereIssuers.map((e) => [e.name, e.grants]),
    ),
  ];
}

/** The grants the issuers never got (failed or dead-lettered in the ledger), and what a person can do. */
function undelivered(summary: OfflineSummary): string[] {
  if (summary.ledgerUndelivered === 0) return [];
  const more = summary.ledgerUndelivered - summary.undelivered.length;
  return [
    '',
    `${summary.ledgerUndelivered} undelivered (failed or dead-lettered in the ledger, at no issuer):`,
    ...table(
      ['grant', 'campaign', 'status', 'charge', 'discrepancy', 'state'],
      summary.undelivered.map((u) => [
        u.grantId,
        u.campaignId,
        u.status,
        formatMoney(u.charge, u.currency),
        u.discrepancyId,
        u.discrepancy,
      ]),
    ),
    ...(more > 0 ? [`… and ${more} more (pocket discrepancies list --open)`] : []),
    `at stake (charged to budgets, all ${summary.ledgerUndelivered}): ${totalsText(summary.undeliveredCharge)}`,
    'once the issuer is fixed: pocket grants redeliver <grant>; if it will not be paid: pocket grants void <grant>',
  ];
}

function describe(summary: OfflineSummary): string[] {
  const kinds = Object.entries(summary.found);
  const lines = [
    `window ${summary.since} → ${summary.until}${summary.campaignId ? ` (campaign ${summary.campaignId})` : ''}`,
    `run ${summary.runId}`,
    '',
    ...table(
      ['issuer', 'records'],
      summary.issuers.map((i) => [i.name, i.records]),
    ),
    '',
    `ledger delivered ${summary.ledgerDelivered}, matched ${summary.matched}, redelivered ${summary.redelivered}, ` +
      `corrected ${summary.corrected}, elsewhere ${summary.elsewhere}, undelivered ${summary.ledgerUndelivered}, ` +
      `earlier discrepancies resolved ${summary.resolvedEarlier}`,
    ...elsewhere(summary),
    ...undelivered(summary),
  ];
  if (kinds.length === 0) return [...lines, 'no discrepancies'];
  return [
    ...lines,
    '',
    ...table(
      ['discrepancy', 'count'],
      kinds.map(([kind, n]) => [kind, n ?? 0]),
    ),
    '',
    summary.unresolved > 0
      ? `${summary.unresolved} unresolved (pocket discrepancies list --open)`
      : 'all resolved',
    ...(summary.acknowledged > 0 ? [`${summary.acknowledged} acknowledged earlier (resolved by hand)`] : []),
  ];
}

/** The run was recorded as failed and changed nothing: the operator fixes the issuer and runs it again. */
function issuerFailure(error: IssuerListingError): CliFailure {
  return new CliFailure(`${error.message}; the run failed and nothing was reconciled`, 1, {
    code: 'issuer_unavailable',
    details: { issuer: error.issuer, url: error.url, reason: error.reason },
  });
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      'reconcile the ledger with the issuers once (offline reconciliation); exit 1 on unresolved discrepancies',
    )
    .option('--since <time>', 'window start (default: 24 h before --until)')
    .option('--until <time>', 'window end (default and latest: now minus the grace period)')
    .option(
      '--campaign <id>',
      "only this campaign's grants (records unknown to the ledger are always reported)",
    )
    .option('--grace <minutes>', 'leave the most recent minutes out: deliveries still settling', '60')
    .option('--format <format>', 'table | json', 'table')
    .action(
      action(async (opts: Options) => {
        const format = parseFormat(opts.format, ['table', 'json']);
        const since = parseTime(opts.since, '--since');
        const until = parseTime(opts.until, '--until');
        // Bounded: a grace of a billion minutes would put the window before any representable date.
        if (!/^\d+$/.test(opts.grace) || Number(opts.grace) > MAX_GRACE_MINUTES) {
          throw new CliFailure(
            `--grace must be a number of minutes from 0 to ${MAX_GRACE_MINUTES} (got "${opts.grace}")`,
            2,
          );
        }
        const graceMs = Number(opts.grace) * 60_000;
        return withWorkerRuntime(
          async ({ db, parts }) => {
            // An unknown id would record a run over no grants and report nothing: a typo must not pass as clean.
            if (
              opts.campaign !== undefined &&
              !(await new KnexCampaignVersionStore().latest(db, opts.campaign))
            ) {
              // A bad option (2), not a discrepancy (1): nothing was looked at.
              throw new CliFailure(
                `unknown campaign "${opts.campaign}": it was never published to this ledger; nothing was reconciled`,
                2,
                { code: 'unknown_campaign', details: { campaigns: [opts.campaign] } },
              );
            }
            let summary: OfflineSummary;
            try {
              summary = await parts.offline.run({
                ...(since ? { since } : {}),
                ...(until ? { until } : {}),
                campaignId: opts.campaign ?? null,
                graceMs,
              });
            } catch (error) {
              if (error instanceof OfflineWindowError) throw new CliFailure(error.message, 2);
              if (error instanceof IssuerListingError) throw issuerFailure(error);
              throw error;
            }
            if (format === 'json') printJson(summary);
            else printLines(describe(summary));
            return summary.unresolved > 0 ? 1 : 0;
          },
          { logLevel: 'warn', secretsOnUse: true, hotState: false },
        );
      }),
    );
}
