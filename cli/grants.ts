/**
 * `pocket grants void <id> --reason <text>`: the one compensation for a grant that will not be paid (failed,
 * dead-lettered, refused by a person). Frees its stock, budget and per-user positions in the ledger, cancels a
 * pending delivery, gives the hot counters back and writes the audit log. A delivered grant needs --force
 * (revoke it at the issuer first).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../src/errors/app-error';
import { isPostgres } from '../src/ledger/db';
import type { VoidResult } from '../src/reconciliation/grant-void-service';
import { registerGrantsList } from './grants-list';
import { registerRedeliver } from './grants-redeliver';
import { voidJson, voidLines } from './grants-void-output';
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

export function registerGrants(program: Command): void {
  const grants = program
    .command('grants')
    .description("list a campaign's grants; operate on individual grants");
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
          async ({ db, parts }) => {
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
            if (format === 'json') printJson(voidJson(result));
            else printLines(voidLines(result, !isPostgres(db)));
          },
          // Voiding writes the ledger and the hot state; it sends nothing to an issuer or NOTIFY_URL.
          { logLevel: 'warn', secretsOnUse: true, sends: false },
        );
      }),
    );
  registerRedeliver(grants);
  registerGrantsList(grants);
}
