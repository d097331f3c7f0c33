/**
 * `pocket discrepancies list [--open] [--kind] [--campaign] [--grant] [--format table|json]` and
 * `pocket discrepancies resolve <id> --note <text> [--actor]`: what reconciliation and delivery found, and the
 * operator's way to close one that was handled downstream (revoked at the issuer, or the loss accepted). A
 * resolution is audited; later runs do not reopen it for the same difference. resolve exits 1 when the
 * discrepancy does not exist or is already resolved, 2 without a note.
 */
import type { Command } from 'commander';
import { AppError } from '../src/errors/app-error';
import { KnexAuditStore } from '../src/ledger/knex-audit-store';
import { KnexCampaignVersionStore } from '../src/ledger/knex-campaign-version-store';
import { neverPublished } from '../src/publishing/never-published';
import {
  DISCREPANCY_KINDS,
  type Discrepancy,
  type DiscrepancyFilter,
  type DiscrepancyKind,
  type ListedDiscrepancy,
} from '../src/reconciliation/discrepancy-store';
import { DiscrepancyResolver } from '../src/reconciliation/discrepancy-resolver';
import { KnexDiscrepancyStore } from '../src/reconciliation/knex-discrepancy-store';
import { atStakeTotals } from '../src/reconciliation/money-at-stake';
import { campaignArgument } from './campaign-argument';
import { defaultActor } from './grants';
import { formatMoney, totalsText } from '../src/shared/money';
import { withLedgerDb } from './ledger-session';
import { action, CliFailure, parseFormat, printable, printJson, printLines, table } from './output';
import { noteOption } from './note-option';

interface ListOptions {
  open?: boolean;
  kind?: string;
  campaign?: string;
  grant?: string;
  format: string;
}

interface ResolveOptions {
  note?: string;
  actor?: string;
  format: string;
}

function withResolver<T>(fn: (resolver: DiscrepancyResolver) => Promise<T>): Promise<T> {
  return withLedgerDb((db) =>
    fn(
      new DiscrepancyResolver({
        db,
        discrepancies: new KnexDiscrepancyStore(),
        audit: new KnexAuditStore(),
        clock: () => new Date(),
      }),
    ),
  );
}

/**
 * The discrepancies `filter` selects, refusing a `--campaign` never published to this ledger (exit 2, as
 * `reconcile --campaign`): every discrepancy about a campaign is about one of its grants or counters, so such an
 * id is a typo, and it printed `no discrepancies`, exit 0, to an operator checking that nothing was open.
 */
function listDiscrepancies(filter: DiscrepancyFilter): Promise<ListedDiscrepancy[]> {
  return withLedgerDb(async (db) => {
    const versions = new KnexCampaignVersionStore();
    if (filter.campaignId !== undefined && !(await versions.latest(db, filter.campaignId))) {
      const unknown = await neverPublished(db, versions, filter.campaignId);
      throw new CliFailure(`--campaign: ${unknown.message}`, 2, {
        code: unknown.code,
        details: { campaign: filter.campaignId },
      });
    }
    const resolver = new DiscrepancyResolver({
      db,
      discrepancies: new KnexDiscrepancyStore(),
      audit: new KnexAuditStore(),
      clock: () => new Date(),
    });
    return resolver.list(filter);
  });
}

function parseKind(value: string | undefined): DiscrepancyKind | undefined {
  if (value === undefined) return undefined;
  if (!(DISCREPANCY_KINDS as readonly string[]).includes(value)) {
    throw new CliFailure(`--kind must be one of ${DISCREPANCY_KINDS.join(', ')} (got "${value}")`, 2);
  }
  return value as DiscrepancyKind;
}

function closedText(d: Discrepancy): string {
  if (d.status === 'open') return '';
  const by = d.resolvedBy ? ` by ${d.resolvedBy}` : '';
  return `${d.resolvedAt?.toISOString() ?? ''}${by}: ${d.resolution ?? ''}`;
}

export function registerDiscrepancies(program: Command): void {
  const discrepancies = program
    .command('discrepancies')
    .description('list what reconciliation found; resolve a discrepancy handled downstream (audited)');
  discrepancies
    .command('list')
    .description('discrepancies, oldest first')
    .option('--open', 'only the open ones')
    .option('--kind <kind>', 'only this kind (e.g. voided_but_issued)')
    .option('--campaign <id>', "only this campaign's")
    .option('--grant <id>', "only this grant's")
    .option('--format <format>', 'table | json', 'table')
    .action(
      action(async (opts: ListOptions) => {
        const format = parseFormat(opts.format, ['table', 'json']);
        const kind = parseKind(opts.kind);
        const filter: DiscrepancyFilter = {
          ...(opts.open ? { status: 'open' as const } : {}),
          ...(kind ? { kinds: [kind] } : {}),
          ...(opts.campaign !== undefined
            ? { campaignId: campaignArgument(opts.campaign, '--campaign') }
            : {}),
          ...(opts.grant ? { grantId: opts.grant } : {}),
        };
        const found = await listDiscrepancies(filter);
        // Open ones only (a resolved one was handled: paid by hand, revoked, accepted), each grant once: a grant
        // can have discrepancies of several kinds.
        const open = found.filter((d) => d.status === 'open');
        const atStake = atStakeTotals(new Map(open.map((d) => [d.grantId, d])).values());
        if (format === 'json') {
          printJson({ discrepancies: found, atStake });
          return;
        }
        if (found.length === 0) {
          printLines([opts.open ? 'no open discrepancies' : 'no discrepancies']);
          return;
        }
        printLines([
          ...table(
            ['id', 'created', 'kind', 'campaign', 'grant', 'charge', 'status', 'resolution'],
            found.map((d) => [
              d.id,
              d.createdAt.toISOString(),
              d.kind,
              d.campaignId ?? '-',
              d.grantId ?? '-',
              d.charge === null ? '-' : formatMoney(d.charge, d.currency),
              d.status,
              closedText(d),
            ]),
          ),
          `at stake (open ones, charged to budgets, each grant once): ${totalsText(atStake)}`,
        ]);
      }),
    );
  discrepancies
    .command('resolve <id>')
    .description('close an open discrepancy once handled downstream (revoked, or the loss accepted); audited')
    .option('--note <text>', 'what was done (required; kept on the discrepancy and in the audit log)')
    .option('--actor <name>', 'who (default: POCKET_AUTHOR or the OS user)')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (id: string, opts: ResolveOptions) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const note = noteOption(opts.note);
        if (!note?.trim()) throw new CliFailure('--note is required', 2);
        let resolved: Discrepancy;
        try {
          resolved = await withResolver((r) => r.resolve(id, { note, actor: opts.actor ?? defaultActor() }));
        } catch (error) {
          if (error instanceof AppError) {
            throw new CliFailure(error.message, error.status === 400 ? 2 : 1, {
              code: error.code,
              details: error.details,
            });
          }
          throw error;
        }
        if (format === 'json') printJson(resolved);
        else
          printLines([
            `resolved discrepancy ${resolved.id} (${resolved.kind}${resolved.grantId ? `, grant ${resolved.grantId}` : ''})`,
            printable(`by ${resolved.resolvedBy ?? ''}: ${resolved.resolution ?? ''}`),
          ]);
      }),
    );
}
