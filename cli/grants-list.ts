/**
 * `pocket grants list <campaign> [--from T] [--to T] [--status s] [--format table|json|csv]`: a campaign's grants
 * for finance, oldest first, from the ledger of this environment or a running service (`--server URL --token T`,
 * scope read), read a page of 1,000 at a time. CSV and JSON are written page by page as they come (a campaign of
 * millions of grants never sits in memory); the table, for a person, is printed at the end with the totals.
 */
import type { Command } from 'commander';
import { campaignArgument } from './campaign-argument';
import { ValidationError, type FieldError } from '../src/errors/app-error';
import { KnexCampaignVersionStore } from '../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../src/ledger/knex-grant-store';
import {
  CampaignGrantsService,
  GRANTS_PAGE,
  readGrantsQuery,
  type CampaignGrantsPage,
  type CampaignGrantView,
} from '../src/participation/campaign-grants-service';
import { decodeGrantCursor } from '../src/participation/grants-cursor';
import type { CampaignGrantsFilter, GrantPosition } from '../src/ledger/grant-store';
import { atStakeTotals } from '../src/reconciliation/money-at-stake';
import { AdminClient } from './admin-client';
import { csvCell } from './csv-cell';
import { withLedgerDb } from './ledger-session';
import { target, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { formatMoney, totalsText } from '../src/shared/money';
import { dateTimeProblem } from '../src/shared/date-time';
import { action, CliFailure, parseFormat, printLines, readingAs, table } from './output';

interface Options extends TargetOptions {
  from?: string;
  to?: string;
  status?: string;
  format: string;
}

type OnPage = (page: CampaignGrantsPage) => Promise<void>;

/** Every page, in order, from the service (`--server`) or the ledger. */
async function eachPage(campaignId: string, filter: CampaignGrantsFilter, opts: Options, onPage: OnPage) {
  const remote = target(opts);
  if (remote) {
    const client = new AdminClient(remote.server, remote.token);
    let after: string | null = null;
    do {
      const params = new URLSearchParams({ limit: String(filter.limit) });
      if (filter.from) params.set('from', filter.from.toISOString());
      if (filter.to) params.set('to', filter.to.toISOString());
      if (filter.status) params.set('status', filter.status);
      if (after) params.set('after', after);
      const page: CampaignGrantsPage = await client.get<CampaignGrantsPage>(
        `/admin/campaigns/${encodeURIComponent(campaignId)}/grants?${params.toString()}`,
        { campaignId: 'string', grants: 'array' },
      );
      await onPage(page);
      after = page.nextCursor;
    } while (after !== null);
    return;
  }
  await withLedgerDb(async (db) => {
    const service = new CampaignGrantsService({
      db,
      grants: new KnexGrantStore(),
      versions: new KnexCampaignVersionStore(),
    });
    let after: GrantPosition | null = null;
    do {
      const page = await service.page(campaignId, { ...filter, ...(after ? { after } : {}) });
      await onPage(page);
      after = page.nextCursor === null ? null : decodeGrantCursor(page.nextCursor);
    } while (after !== null);
  });
}

/** Writes to stdout, waiting while its buffer is full: a pipe to a slow reader must not fill the memory. */
function write(text: string): Promise<void> {
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

const CSV_COLUMNS = [
  'id',
  'created_at',
  'user_id',
  'campaign_version',
  'segment_id',
  'reward_id',
  'type',
  'status',
  'amount',
  'charge',
  'currency',
  'business_date',
  'test',
  'delivered_at',
  'voided_at',
  // Appended, so the earlier columns keep their positions for the spreadsheets that read them.
  'issuer',
] as const;

function csvRow(g: CampaignGrantView): string {
  return [
    g.id,
    g.createdAt,
    g.userId,
    g.campaignVersion,
    g.segmentId,
    g.rewardId,
    g.type,
    g.status,
    g.amount,
    g.charge,
    g.currency,
    g.businessDate,
    g.test ? 'true' : 'false',
    g.deliveredAt,
    g.voidedAt,
    g.issuer,
  ]
    .map(csvCell)
    .join(',');
}

/** The table's last line: what the grants in force (not void, not a tester's) charged the budget, per currency. */
function totalsLine(grants: readonly CampaignGrantView[]): string {
  const charged = grants.filter((g) => g.status !== 'void' && !g.test);
  return `${grants.length} grants; charged to the budget (void and test grants left out): ${totalsText(atStakeTotals(charged))}`;
}

function tableLines(grants: readonly CampaignGrantView[]): string[] {
  if (grants.length === 0) return ['no grants'];
  return [
    ...table(
      ['created', 'grant', 'user', 'reward', 'status', 'amount', 'charge', 'test'],
      grants.map((g) => [
        g.createdAt,
        g.id,
        g.userId,
        g.rewardId,
        g.status,
        formatMoney(g.amount, g.currency),
        formatMoney(g.charge, g.currency),
        g.test ? 'yes' : '',
      ]),
    ),
    totalsLine(grants),
  ];
}

interface Printer {
  onPage: OnPage;
  /** Every page was read. */
  end: () => Promise<void>;
  /**
   * A page failed after others were written: what is out stays as it is, so that the export cannot pass for a
   * whole one (the JSON document is left without its `]}`; the exit code is 1).
   */
  cutShort: () => Promise<void>;
}

function printer(format: string, campaignId: string): Printer {
  if (format === 'csv') {
    let header = false;
    return {
      onPage: async (page) => {
        const rows = page.grants.map(csvRow);
        await write([...(header ? [] : [CSV_COLUMNS.join(',')]), ...rows].map((r) => `${r}\n`).join(''));
        header = true;
      },
      end: () => (header ? Promise.resolve() : write(`${CSV_COLUMNS.join(',')}\n`)),
      cutShort: () => Promise.resolve(),
    };
  }
  if (format === 'json') {
    // One document, { "campaignId": …, "grants": [ … ] }, written a page at a time.
    let opened = false;
    return {
      onPage: async (page) => {
        let text = '';
        for (const g of page.grants) {
          text += `${opened ? ',\n' : `{\n  "campaignId": ${JSON.stringify(campaignId)},\n  "grants": [\n`}    ${JSON.stringify(g)}`;
          opened = true;
        }
        await write(text);
      },
      end: () => write(opened ? '\n  ]\n}\n' : `${JSON.stringify({ campaignId, grants: [] }, null, 2)}\n`),
      // The error object every verb prints under --format json then starts on a line of its own.
      cutShort: () => (opened ? write('\n') : Promise.resolve()),
    };
  }
  const all: CampaignGrantView[] = [];
  return {
    onPage: (page) => {
      all.push(...page.grants);
      return Promise.resolve();
    },
    end: () => {
      printLines(tableLines(all));
      return Promise.resolve();
    },
    cutShort: () => Promise.resolve(),
  };
}

function parseOptions(opts: Options): CampaignGrantsFilter {
  try {
    return readGrantsQuery(
      { from: opts.from, to: opts.to, status: opts.status, limit: String(GRANTS_PAGE.max) },
      (key) => `--${key}`,
      dateTimeProblem,
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields = (error.details as { fields?: FieldError[] }).fields ?? [];
    throw new CliFailure(fields.map((f) => `${f.path} ${f.message}`).join('\n'), 2);
  }
}

export function registerGrantsList(grants: Command): void {
  withTargetOptions(
    grants
      .command('list <campaign>')
      .description("a campaign's grants for finance, oldest first (CSV and JSON streamed page by page)")
      .option('--from <time>', 'ISO 8601 start (inclusive) of the grants listed, by creation')
      .option('--to <time>', 'ISO 8601 end (exclusive)')
      .option('--status <status>', 'only pending | delivered | failed | dead | void')
      .option('--format <format>', 'table | json | csv', 'table'),
  ).action(
    action(async (campaignId: string, opts: Options) => {
      const format = parseFormat(opts.format, ['table', 'json', 'csv']);
      campaignArgument(campaignId);
      const filter = parseOptions(opts);
      const out = printer(format, campaignId);
      try {
        await readingAs(() => eachPage(campaignId, filter, opts, out.onPage));
      } catch (error) {
        await out.cutShort();
        throw error;
      }
      await out.end();
    }),
  );
}
