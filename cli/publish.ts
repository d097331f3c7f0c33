/**
 * `pocket publish [campaign…] [--note] [--force]`: validates every definition first, then publishes the
 * campaigns whose fingerprint changed as new versions (all or nothing) and activates them. Unchanged
 * campaigns are reported as such; a refused activation exits 1 and writes nothing.
 */
import type { Command } from 'commander';
import type { DefinitionSet } from '../src/definitions/definition-set';
import { formatDiagnostic, type Diagnostic } from '../src/definitions/diagnostic';
import type { ResolvedCampaign } from '../src/definitions/resolve-campaign';
import type { PublishOutcome } from '../src/publishing/lifecycle';
import { loadAll, rootOf, unknownCampaign } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { noteOption } from './note-option';
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

function warningsOf(set: DefinitionSet, chosen: readonly ResolvedCampaign[]): Diagnostic[] {
  const files = new Set<string>();
  for (const { definition, rules } of chosen) {
    const campaign = set.campaigns.get(definition.id);
    if (campaign) files.add(campaign.file);
    for (const id of Object.keys(rules)) {
      const rule = set.rules.get(id);
      if (rule) files.add(rule.file);
    }
  }
  return set.diagnostics.filter((d) => d.severity === 'warning' && files.has(d.file));
}

export function registerPublish(program: Command): void {
  withTargetOptions(
    program
      .command('publish [campaigns...]')
      .description('validate, then publish changed campaigns as new versions and activate them')
      .option('--note <text>', 'why: recorded with the version and in the audit log')
      .option('--force', 'accept cutting stock or budget below what is used, or a served campaign to draft')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (ids: string[], opts: Options, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      const note = noteOption(opts.note);
      const root = rootOf(command);
      const { resolved, set } = await loadAll(root);
      const unknown = ids.filter((id) => !resolved.some((r) => r.definition.id === id));
      if (unknown.length > 0) throw unknownCampaign(unknown, resolved);
      const chosen = ids.length > 0 ? resolved.filter((r) => ids.includes(r.definition.id)) : resolved;
      if (chosen.length === 0) throw new CliFailure('no campaigns to publish under campaigns/');
      // What validate warns about in the campaigns being published (and the rules they use) is said here too.
      const warnings = warningsOf(set, chosen);
      if (format === 'text') printLines(warnings.map(formatDiagnostic), process.stderr);
      const results = await withLifecycle(opts, root, (lifecycle) =>
        lifecycle.publish(chosen, {
          note,
          force: opts.force === true,
          author: detectAuthor(root),
          gitCommit: detectGitCommit(root),
        }),
      );
      if (format === 'json') {
        const definitionWarnings = warnings.map(({ file, line, col, path, message }) => ({
          file,
          line,
          col,
          path,
          message,
        }));
        printJson({ results, definitionWarnings });
        return;
      }
      printLines(results.map(outcomeLine));
      printLines(
        results.flatMap((o) => o.warnings.map((w) => `warning: ${o.campaignId}: ${w.message}`)),
        process.stderr,
      );
      if (results.every((o) => o.status === 'unchanged'))
        printLines(['nothing to publish: no campaign changed']);
      // A publish never resumes: without this line a paused campaign's new version looked live.
      printLines(
        results
          .filter((o) => o.paused === true)
          .map((o) => `${o.campaignId} is still paused: \`pocket resume ${o.campaignId}\` reopens it`),
      );
    }),
  );
}
