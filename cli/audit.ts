/** `pocket audit [id]`: who changed what, when, from which version to which; newest first. */
import type { Command } from 'commander';
import type { AuditView } from '../src/publishing/lifecycle';
import { campaignArgument } from './campaign-argument';
import { rootOf } from './definitions';
import { withLifecycle, withTargetOptions, type TargetOptions } from './lifecycle-session';
import { action, count, parseFormat, printJson, printLines, table } from './output';
import { integerOption } from './integer-option';
import { shortCommit } from './short-commit';

interface Options extends TargetOptions {
  limit: string;
  format: string;
}

function versions(e: AuditView): string {
  if (e.fromVersion === null && e.toVersion === null) return '-';
  if (e.fromVersion === e.toVersion) return `v${e.toVersion}`;
  return `${e.fromVersion === null ? '-' : `v${e.fromVersion}`} → ${e.toVersion === null ? '-' : `v${e.toVersion}`}`;
}

function detailText(e: AuditView): string {
  const d = e.details ?? {};
  const parts: string[] = [];
  if (typeof d['note'] === 'string') parts.push(`note: ${d['note']}`);
  // A grant's void or redelivery: why, as given by --reason (finance's question about that row).
  if (typeof d['reason'] === 'string') parts.push(`reason: ${d['reason']}`);
  if (typeof d['author'] === 'string' && d['author'] !== e.actor) parts.push(`by ${d['author']}`);
  if (typeof d['gitCommit'] === 'string') parts.push(`commit ${shortCommit(d['gitCommit'])}`);
  if (d['reactivated'] === true) parts.push('reactivated');
  if (d['force'] === true || d['forced'] === true) parts.push('forced');
  if (Array.isArray(d['warnings'])) parts.push(count(d['warnings'].length, 'warning'));
  if (e.subject) parts.push(`subject ${e.subject}`);
  return parts.join('; ');
}

export function registerAudit(program: Command): void {
  withTargetOptions(
    program
      .command('audit [campaign]')
      .description(
        'list the audit log: publishes, rollbacks, pauses, resumes, voids, redeliveries, resolutions',
      )
      .option('--limit <n>', 'the newest N entries', '100')
      .option('--format <format>', 'text | json', 'text'),
  ).action(
    action(async (campaignId: string | undefined, opts: Options, command: Command) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      if (campaignId !== undefined) campaignArgument(campaignId);
      const limit = integerOption(opts.limit, '--limit', 1, 10000);
      const entries = await withLifecycle(opts, rootOf(command), (l) =>
        l.audit({ ...(campaignId === undefined ? {} : { campaignId }), limit }),
      );
      if (format === 'json') {
        printJson({ entries });
        return;
      }
      if (entries.length === 0) {
        printLines([
          campaignId === undefined ? 'the audit log is empty' : `no audit entries for ${campaignId}`,
        ]);
        return;
      }
      printLines(
        table(
          ['id', 'at', 'actor', 'action', 'campaign', 'versions', 'details'],
          entries.map((e) => [
            e.id,
            e.at,
            e.actor,
            e.action,
            e.campaignId ?? '-',
            versions(e),
            detailText(e),
          ]),
        ),
      );
    }),
  );
}
