/** `pocket rollback <id> --to N`: makes version N active again (a recorded activation; no new version). */
import type { Command } from 'commander';
import { campaignArgument } from './campaign-argument';
import { rootOf } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, CliFailure, parseFormat, printJson, printLines } from './output';
import { detectAuthor } from './publish-metadata';
import { noteOption } from './note-option';

interface Options extends TargetOptions {
  to: string;
  note?: string;
  force?: boolean;
  format: string;
}

export function registerRollback(program: Command): void {
  withTargetOptions(
    program
      .command('rollback <campaign>')
      .description('make an earlier version active again')
      .requiredOption('--to <version>', 'the version number to activate (required)')
      .option('--note <text>', 'why: recorded in the audit log')
      .option('--force', 'accept cutting stock or budget below what is used, or a served campaign to draft')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (campaignId: string, opts: Options, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      const note = noteOption(opts.note);
      campaignArgument(campaignId);
      const to = Number(opts.to);
      if (!/^\d+$/.test(opts.to) || !Number.isSafeInteger(to) || to < 1) {
        throw new CliFailure(`--to must be a version number (got "${opts.to}")`, 2);
      }
      const root = rootOf(command);
      const outcome = await withLifecycle(opts, root, (l) =>
        l.rollback(campaignId, to, {
          note,
          author: detectAuthor(root),
          force: opts.force === true,
        }),
      );
      if (format === 'json') {
        printJson(outcome);
        return;
      }
      printLines([
        outcome.changed
          ? `${campaignId}: version ${to} is active again (was version ${outcome.previousVersion ?? 'none'})`
          : `${campaignId}: version ${to} is already active; nothing changed`,
      ]);
      printLines(
        outcome.warnings.map((w) => `warning: ${campaignId}: ${w.message}`),
        process.stderr,
      );
      if (outcome.paused)
        printLines([`${campaignId} is still paused: \`pocket resume ${campaignId}\` reopens it`]);
    }),
  );
}
