/**
 * `pocket publish [campaign…] [--note] [--force]`: validates every definition first, then publishes the
 * campaigns whose fingerprint changed as new versions (all or nothing) and activates them. Unchanged
 * campaigns are reported as such; a refused activation exits 1 and writes nothing.
 */
import type { Command } from 'commander';
import type { PublishOutcome } from '../src/publishing/lifecycle';
import { loadAll, rootOf, unknownCampaign } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, CliFailure, parseFormat, printJson, printLines } from './output';
import { detectAuthor, detectGitCommit } from './publish-metadata';

interface Options extends TargetOptions {
  note?: string;
  force?: boolean;
  format: string;
}

function outcomeLine(o: PublishOutcome): string {
  if (o.status === 'unchanged') return `${o.campaignId}: unchanged, version ${o.version} stays active`;
  const from = o.previous === null ? 'first version' : `was version ${o.previous}`;
  const how = o.reactivated ? ' (an identical earlier version, made active again)' : '';
  return `${o.campaignId}: published version ${o.version}${how}, ${from}`;
}

export function registerPublish(program: Command): void {
  withTargetOptions(
    program
      .command('publish [campaigns...]')
      .description('validate, then publish changed campaigns as new versions and activate them')
      .option('--note <text>', 'why: recorded with the version and in the audit log')
      .option('--force', 'accept cutting stock or budget below what is already used')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (ids: string[], opts: Options, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      const root = rootOf(command);
      const { resolved } = await loadAll(root);
      const unknown = ids.filter((id) => !resolved.some((r) => r.definition.id === id));
      if (unknown.length > 0) throw unknownCampaign(unknown, resolved);
      const chosen = ids.length > 0 ? resolved.filter((r) => ids.includes(r.definition.id)) : resolved;
      if (chosen.length === 0) throw new CliFailure('no campaigns to publish under campaigns/');
      const results = await withLifecycle(opts, root, (lifecycle) =>
        lifecycle.publish(chosen, {
          note: opts.note ?? null,
          force: opts.force === true,
          author: detectAuthor(root),
          gitCommit: detectGitCommit(root),
        }),
      );
      if (format === 'json') {
        printJson({ results });
        return;
      }
      printLines(results.map(outcomeLine));
      printLines(
        results.flatMap((o) => o.warnings.map((w) => `warning: ${o.campaignId}: ${w.message}`)),
        process.stderr,
      );
      if (results.every((o) => o.status === 'unchanged'))
        printLines(['nothing to publish: no campaign changed']);
    }),
  );
}
