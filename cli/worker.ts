/**
 * `pocket worker`: the outbox relay and the scheduled jobs (real-time and offline reconciliation, webhook
 * retries) until SIGINT/SIGTERM. `--once` drains the relay, reconciles once, resends webhooks, prints what
 * happened with the delivery backlog and lag, and exits (non-zero when a step failed).
 */
import type { Command } from 'commander';
import type { WorkerOnce } from '../src/reconciliation/worker';
import { action, parseFormat, printJson, printLines, table } from './output';
import { logSecretNotices } from './secret-rotation';
import { shutdownSignal } from './shutdown-signal';
import { withWorkerRuntime } from './worker-runtime';

interface Options {
  once?: boolean;
  format: string;
}

function describeOnce(result: WorkerOnce): string[] {
  const { relay, stats, realtime } = result;
  const found = realtime ? Object.values(realtime.found).reduce((a, b) => a + (b ?? 0), 0) : 0;
  return table(
    ['step', 'result'],
    [
      [
        'relay',
        `claimed ${relay.claimed}, delivered ${relay.delivered}, retrying ${relay.retry}, failed ${relay.rejected}, ` +
          `dead ${relay.dead}, skipped ${relay.skipped}, ${relay.lost > 0 ? `left to the next claim ${relay.lost}, ` : ''}errors ${relay.errors}`,
      ],
      [
        'backlog',
        `pending ${stats.pending}, due ${stats.due}, in flight ${stats.inFlight}, dead ${stats.dead}, lag ${stats.lagMs} ms`,
      ],
      [
        'real-time reconciliation',
        realtime
          ? `${realtime.campaigns.length} campaigns, ${found} differences, ${realtime.repaired} repaired, ` +
            `${realtime.errors.length} errors`
          : result.realtimeSkipped !== null
            ? `not run: ${result.realtimeSkipped}`
            : 'skipped: the in-memory hot state lives in the service process (set REDIS_URL to share it)',
      ],
      ['webhooks', `${result.notificationsSent} resent`],
    ],
  );
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'deliver grants to the issuers and run the reconciliation jobs (--once: one pass, then exit)',
    )
    .option('--once', 'drain the outbox, reconcile once, print a summary and exit')
    .option('--format <format>', 'table | json (with --once)', 'table')
    .action(
      action(
        async (opts: Options) => {
          const format = parseFormat(opts.format, ['table', 'json']);
          if (opts.once) {
            const code = await withWorkerRuntime(
              async ({ parts, redisUnreachable }) => {
                const result = await parts.worker.runOnce({ hotStateUnreachable: redisUnreachable });
                if (format === 'json') printJson(result);
                else printLines(describeOnce(result));
                const failed =
                  result.relay.errors > 0 ||
                  (result.realtime?.errors.length ?? 0) > 0 ||
                  result.realtimeSkipped !== null;
                return failed ? 1 : 0;
              },
              // Redis down: the outbox is still drained (it needs only the ledger and the issuers).
              { logLevel: 'warn', redisOutage: 'once', pendingMigrations: 'apply', ledgerWaits: 'worker' },
            );
            process.exit(code);
          }
          await withWorkerRuntime(
            async ({ parts, logger, config }) => {
              // The worker signs the webhooks and issuer requests: a _PREVIOUS left set is reminded here too.
              logSecretNotices(logger, config);
              parts.worker.start();
              logger.info(
                {
                  reconcileCron: parts.realtime ? config.reconcileCron : null,
                  offlineReconcileCron: config.offlineReconcileCron,
                },
                'pocket worker running',
              );
              await shutdownSignal(logger, 'pocket worker stopping');
            },
            // A process manager restarts a worker that exits: one started during a Redis outage runs the relay
            // and waits for Redis for the rest, rather than exiting 1 and delivering nothing until Redis is back.
            { redisOutage: 'tolerate', pendingMigrations: 'apply', ledgerWaits: 'worker' },
          );
          // Stopped and closed, or given up on (the runtime's close is bounded): whatever is still open (a
          // connection stuck on a silent ledger) must not keep the process up.
          process.exit(process.exitCode ?? 0);
        },
        { exitOnFailure: true },
      ),
    );
}
