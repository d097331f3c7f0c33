/**
 * `pocket grants redeliver <id> [--reason R]`: sends a dead-lettered or refused grant again, with the same
 * Idempotency-Key (the grant id), once the issuer is fixed. The worker's relay picks it up on its next poll.
 * Audited; refuses (exit 1) a grant that is unknown, void, delivered, or still pending or in flight. It goes to
 * its type's issuer now, which is not the one that refused it when that issuer moved to a new URL (said so, when
 * this shell sets the type's ISSUER_<TYPE>_URL to compare).
 */
import type { Command } from 'commander';
import type { RedeliveryResult } from '../src/delivery/grant-redelivery-service';
import { GrantRedeliveryService } from '../src/delivery/grant-redelivery-service';
import { AppError } from '../src/errors/app-error';
import { KnexAuditStore } from '../src/ledger/knex-audit-store';
import { KnexGrantStore } from '../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../src/ledger/knex-outbox-store';
import { defaultActor } from './grants';
import { redeliverJson, redeliverLines } from './grants-redeliver-output';
import { action, CliFailure, parseFormat, printJson, printLines } from './output';
import { withWorkerRuntime } from './worker-runtime';

interface RedeliverOptions {
  reason?: string;
  actor?: string;
  format: string;
}

export function registerRedeliver(grants: Command): void {
  grants
    .command('redeliver <grantId>')
    .description('send a dead-lettered or refused grant again, same idempotency key (audited)')
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--actor <name>', 'who (default: POCKET_AUTHOR or the OS user)')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (grantId: string, opts: RedeliverOptions) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        await withWorkerRuntime(
          async ({ db, parts }) => {
            const service = new GrantRedeliveryService({
              db,
              grants: new KnexGrantStore(),
              outbox: new KnexOutboxStore(),
              audit: new KnexAuditStore(),
              discrepancies: parts.discrepancies,
              clock: () => new Date(),
            });
            let result: RedeliveryResult;
            try {
              result = await service.redeliver(grantId, {
                actor: opts.actor ?? defaultActor(),
                reason: opts.reason ?? null,
              });
            } catch (error) {
              if (error instanceof AppError)
                throw new CliFailure(error.message, error.status === 400 ? 2 : 1, { code: error.code });
              throw error;
            }
            // Its type's issuer now (not necessarily the one that refused it: README, "Moving an issuer"), as
            // the relay's configuration says. This shell's ISSUER_<TYPE>_URL is taken for it; without one, this
            // shell cannot tell (it said "it goes to sandbox" while the worker sent it to its issuer).
            const sendTo = parts.issuers.configures(result.grant)
              ? parts.issuers.forGrant(result.grant).name
              : null;
            if (format === 'json') printJson(redeliverJson(result, sendTo));
            else printLines(redeliverLines(result, sendTo));
          },
          // It only puts the delivery back in the queue: the relay sends it, signed with the worker's secrets.
          { logLevel: 'warn', secretsOnUse: true, hotState: false, sends: false },
        );
      }),
    );
}
