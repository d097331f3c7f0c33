/** `pocket diff <id>`: the local campaign files against the active version, path by path. */
import type { Command } from 'commander';
import { campaignDiff } from '../src/publishing/campaign-diff';
import { formatChange } from '../src/publishing/diff-values';
import { campaignArgument } from './campaign-argument';
import { loadAll, rootOf, unknownCampaign } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, parseFormat, printJson, printLines } from './output';

export function registerDiff(program: Command): void {
  withTargetOptions(
    program
      .command('diff <campaign>')
      .description('show what publishing the local files would change against the active version')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (argument: string, opts: TargetOptions & { format: string }, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      // As versions, rollback and pause check it: `New-Sale` is a usage error naming `new-sale`.
      const campaignId = campaignArgument(argument);
      const root = rootOf(command);
      const { resolved } = await loadAll(root);
      const local = resolved.find((r) => r.definition.id === campaignId);
      if (!local) throw unknownCampaign([campaignId], resolved);
      const active = await withLifecycle(opts, root, (l) => l.activeVersion(campaignId));
      const diff = campaignDiff(local, active);
      if (format === 'json') {
        printJson(diff);
        return;
      }
      if (diff.activeVersion === null) {
        printLines([
          `${campaignId}: never published; publishing creates version 1`,
          ...diff.changes.map(formatChange),
        ]);
      } else if (!diff.changed) {
        printLines([`${campaignId}: the local files equal active version ${diff.activeVersion}`]);
      } else {
        printLines([
          `${campaignId}: local files against active version ${diff.activeVersion}`,
          ...diff.changes.map(formatChange),
        ]);
      }
    }),
  );
}
