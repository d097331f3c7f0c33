/**
 * `pocket pause <id>` and `pocket resume <id>`: the runtime pause overlay. Only resume clears a pause; a
 * publish or rollback never does.
 */
import type { Command } from 'commander';
import { campaignArgument } from './campaign-argument';
import { rootOf } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, parseFormat, printJson, printLines } from './output';
import { detectAuthor } from './publish-metadata';
import { noteOption } from './note-option';

interface Options extends TargetOptions {
  note?: string;
  format: string;
}

const verbs = {
  pause: {
    description: 'stop granting now (participations answer "paused")',
    done: 'paused',
    already: 'already paused',
  },
  resume: {
    description: 'clear a pause: participations are granted again',
    done: 'resumed',
    already: 'not paused',
  },
} as const;

export function registerPauseResume(program: Command): void {
  for (const verb of ['pause', 'resume'] as const) {
    withTargetOptions(
      program
        .command(`${verb} <campaign>`)
        .description(verbs[verb].description)
        .option('--note <text>', 'why: recorded in the audit log')
        .option('--format <format>', 'text | json', 'text'),
    ).action(
      action(async (campaignId: string, opts: Options, command: Command) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const note = noteOption(opts.note);
        campaignArgument(campaignId);
        const root = rootOf(command);
        const outcome = await withLifecycle(opts, root, (l) =>
          l[verb](campaignId, { note, author: detectAuthor(root) }),
        );
        if (format === 'json') {
          printJson(outcome);
          return;
        }
        const version = outcome.activeVersion === null ? '' : ` (active version ${outcome.activeVersion})`;
        printLines([
          outcome.changed
            ? `${campaignId}: ${verbs[verb].done}${version}`
            : `${campaignId}: ${verbs[verb].already}; nothing changed`,
        ]);
      }),
    );
  }
}
