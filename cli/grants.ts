/**
 * `pocket grants void <id> --reason <text>`: the one compensation for a grant that will not be paid (failed,
 * dead-lettered, refused by a person). Frees its stock, budget and per-user positions in the ledger, cancels a
 * pending delivery, gives the hot counters back and writes the audit log. A delivered grant needs --force
 * (revoke it at the issuer first).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../src/errors/app-error';
import type { VoidResult } from '../src/reconciliation/grant-void-service';
import { registerRedeliver } from './grants-redeliver';
import { formatMoney } from './money';
import { action, CliFailure, parseFormat, printJson, printLines } from './output';
import { withWorkerRuntime } from './worker-runtime';

interface VoidOptions {
  reason?: string;
  actor?: string;
  force?: boolean;
  format: string;
}

/** Who runs an audited operator verb: POCKET_AUTHOR, else the OS user. */
export function defaultActor(): string {
  const fromEnv = process.env['POCKET_AUTHOR']?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function describe(result: VoidResult): string[] {
  const g = result.grant;
  return [
    `voided grant ${g.id} (${g.campaignId}, user ${g.userId}, ${g.rewardId}, amount ${formatMoney(g.amount, g.currency)}) — was ${result.previousStatus}`,
    `reason: ${g.voidReason ?? ''}`,
    result.deliveryCancelled
      ? 'pending delivery cancelled'
      : result.deadLetterClosed
        ? 'dead-lettered delivery closed'
        : 'no pending delivery',
    `discrepancies resolved: ${result.resolvedDiscrepancies}`,
    result.hotState === 'deferred'
      ? "hot counters: given back by the service's real-time reconciliation (in-memory hot state)"
      : `hot counters: ${result.hotState}; user counts: ${result.user}`,
    ...(result.previousStatus === 'delivered'
      ? [
          'the issuer had it: while it still lists it, reconcile reports voided_but_issued; once handled there, ' +
            'close it with pocket discrepancies resolve <id> --note "…"',
        ]
      : []),
  ];
}

export function registerGrants(program: Command): void {
  const grants = program.command('grants').description('operate on individual grants');
  grants
    .command('void <grantId>')
    .description('void a grant: free its stock, budget and per-user counts (audited)')
    .option('--reason <text>', 'why (required; kept on the grant and in the audit log)')
    .option('--actor <name>', 'who (default: POCKET_AUTHOR or the OS user)')
    .option(
      '--force',
      'also void a grant the issuer already has or whose delivery is in flight (revoke it there)',
    )
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (grantId: string, opts: VoidOptions) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        if (!opts.reason?.trim()) throw new CliFailure('--reason is required', 2);
        const reason = opts.reason;
        await withWorkerRuntime(
          async ({ parts }) => {
            let result: VoidResult;
            try {
              result = await parts.voids.void(grantId, {
                reason,
                actor: opts.actor ?? defaultActor(),
                force: Boolean(opts.force),
              });
            } catch (error) {
              if (error instanceof AppError)
                throw new CliFailure(error.message, error.status === 400 ? 2 : 1, {
                  code: error.code,
                  details: error.details,
                });
              throw error;
            }
            if (format === 'json') printJson(result);
            else printLines(describe(result));
          },
          // Voiding writes the ledger and the hot state; it sends nothing to an issuer or NOTIFY_URL.
          { logLevel: 'warn', secretsOnUse: true, sends: false },
        );
      }),
    );
  registerRedeliver(grants);
}
