/** `pocket versions <id>`: the campaign's versions, newest first, with the active one and the pause state. */
import type { Command } from 'commander';
import { campaignArgument } from './campaign-argument';
import { rootOf } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, parseFormat, printJson, printLines, table } from './output';
import { shortCommit } from './short-commit';

export function registerVersions(program: Command): void {
  withTargetOptions(
    program
      .command('versions <campaign>')
      .description('list the published versions of a campaign')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (campaignId: string, opts: TargetOptions & { format: string }, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      const id = campaignArgument(campaignId);
      const history = await withLifecycle(opts, rootOf(command), (l) => l.versions(id));
      if (format === 'json') {
        printJson(history);
        return;
      }
      const state =
        history.activeVersion === null ? 'no active version' : `active version ${history.activeVersion}`;
      printLines([`${campaignId}: ${state}${history.paused ? ', PAUSED' : ''}`, '']);
      printLines(
        table(
          ['version', 'active', 'published', 'author', 'commit', 'note'],
          history.versions.map((v) => [
            v.version,
            v.active ? '*' : '',
            v.createdAt,
            v.author ?? '-',
            v.gitCommit ? shortCommit(v.gitCommit) : '-',
            v.note ?? '',
          ]),
        ),
      );
    }),
  );
}
