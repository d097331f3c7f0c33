/** `pocket dry-run <campaign>`: projected segments, rewards, spend and stock-outs for a crowd of users. */
import { statSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { cryptoRandom, seededRandom } from '../src/decision/random';
import { dryRun, type DryRunReport } from '../src/simulation/dry-run';
import type { CampaignDefinition } from '../src/definitions/campaign-types';
import type { SimulatedUser } from '../src/simulation/evaluate-participant';
import { syntheticUserFactory } from '../src/simulation/synthetic-users';
import { countUsers, readUsersFile, UsersFileError } from '../src/simulation/users-file';
import { loadCompiled, parseTime, rootOf } from './definitions';
import { formatMoney, percentOf } from '../src/shared/money';
import { action, CliFailure, parseFormat, printJson, printLines, table } from './output';
import { integerOption } from './integer-option';
import { localTime } from '../src/shared/local-time';

interface Options {
  users?: string;
  synthetic?: string;
  seed?: string;
  at?: string;
  format: string;
}

const MAX_SYNTHETIC = 10_000_000;

/**
 * The report as tables; times on the campaign's clock (`campaign.timezone`), as its operators read them. A run that
 * leaves every user `ended` or `not_started` says why first, so that the empty segments are not read as rules
 * nobody matches.
 */
export function textReport(
  r: DryRunReport,
  campaign: Pick<CampaignDefinition, 'timezone' | 'window' | 'status'>,
): string[] {
  const timeZone = campaign.timezone;
  const lines = [
    `dry-run ${r.campaign}: ${r.users} users${r.at ? ` at ${localTime(r.at, timeZone)}` : ' spread over the window'} (${r.durationMs} ms)`,
  ];
  const closed = (['not_started', 'ended'] as const).find((o) => r.users > 0 && r.outcomes[o] === r.users);
  if (closed)
    lines.push(
      `note: every user answers ${closed}, so no segment is reached: ${whyClosed(closed, campaign)}`,
    );
  lines.push('');
  lines.push(
    ...table(
      ['segment', 'users', 'share'],
      Object.entries(r.segments).map(([id, n]) => [id, n, percentOf(n, r.users)]),
    ),
  );
  lines.push(
    `unmatched users: ${r.unmatched}`,
    `unreached segments: ${r.unreached.length > 0 ? r.unreached.join(', ') : 'none'}`,
    '',
  );
  lines.push(
    ...table(
      ['reward', 'grants', 'stock out'],
      Object.entries(r.rewards).map(([id, n]) => [
        id,
        n,
        r.stockouts[id]
          ? `after ${r.stockouts[id].afterUsers} users, ${localTime(r.stockouts[id].at, timeZone)}`
          : '-',
      ]),
    ),
  );
  lines.push(
    '',
    ...table(
      ['outcome', 'users'],
      Object.entries(r.outcomes).map(([o, n]) => [o, n]),
    ),
  );
  if (r.testers > 0)
    lines.push(
      `testers: ${r.testers} visits by the campaign's testers, decided on their profiles in testers: as in the service; their grants take no stock or budget`,
    );
  const velocity = r.outcomes['velocity'] ?? 0;
  if (velocity > 0)
    lines.push(
      `velocity: ${velocity} users (${percentOf(velocity, r.users)}) refused 403 by protection.velocity.minAccountAgeDays: profile.registeredDays below it or missing`,
    );
  lines.push('');
  const money = (minor: number | null): string =>
    minor === null ? 'unlimited' : formatMoney(minor, r.budget.currency);
  lines.push(
    `projected spend: ${money(r.spend)} of total budget ${money(r.budget.total)} (${percentOf(r.spend, r.budget.total)})`,
  );
  lines.push(
    `peak daily spend: ${money(r.budget.peakDaily)} of daily budget ${money(r.budget.daily)} (${percentOf(r.budget.peakDaily, r.budget.daily)})`,
  );
  return lines;
}

function whyClosed(
  outcome: 'not_started' | 'ended',
  campaign: Pick<CampaignDefinition, 'timezone' | 'window' | 'status'>,
): string {
  if (outcome === 'ended' && campaign.status === 'ended') return 'the campaign has status ended';
  if (outcome === 'not_started' && campaign.status === 'draft') return 'the campaign has status draft';
  const { start, end } = campaign.window;
  return `--at is outside the window (${localTime(start, campaign.timezone)} to ${localTime(end, campaign.timezone)})`;
}

/** A progress bar on `stream` for a run of 10,000 users or more, when the stream is a terminal; else null. */
export function progressBar(
  total: number,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
): { update(n: number): void; stop(): void } | null {
  if (stream.isTTY !== true || total < 10_000) return null;
  const bar = new SingleBar({ stream, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return { update: (n) => bar.update(n), stop: () => bar.stop() };
}

function checkUsersFile(file: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new CliFailure(`--users: no such file ${file}`, 2);
  if (stat.isDirectory()) throw new CliFailure(`--users: ${file} is a directory, not a JSON Lines file`, 2);
  if (!stat.isFile()) throw new CliFailure(`--users: ${file} is not a regular file`, 2);
}

export function registerDryRun(program: Command): void {
  program
    .command('dry-run <campaign>')
    .description('simulate a crowd of users: segments, rewards, projected spend, stock-outs')
    .option('--users <file>', 'JSON Lines of { userId, profile, context, history } (all but userId optional)')
    .option('--synthetic <n>', 'generate N synthetic users from the rules')
    .option('--seed <seed>', 'make the run reproducible')
    .option('--at <time>', 'every user joins at this ISO 8601 time (default: spread over the window)')
    .option('--format <format>', 'table | json', 'table')
    .action(
      action(async (campaignId: string, opts: Options, command: Command) => {
        const format = parseFormat(opts.format === 'text' ? 'table' : opts.format, ['table', 'json']);
        if ((opts.users === undefined) === (opts.synthetic === undefined)) {
          throw new CliFailure('give exactly one of --users <file> or --synthetic <n>', 2);
        }
        const at = parseTime(opts.at, '--at');
        const synthetic =
          opts.synthetic === undefined
            ? null
            : integerOption(opts.synthetic, '--synthetic', 1, MAX_SYNTHETIC);
        if (opts.users !== undefined) checkUsersFile(opts.users);
        const compiled = await loadCompiled(rootOf(command), campaignId);
        const random = opts.seed === undefined ? cryptoRandom : seededRandom(opts.seed);
        let total: number;
        let users: AsyncIterable<SimulatedUser> | Iterable<SimulatedUser>;
        if (opts.users !== undefined) {
          total = await countUsers(opts.users);
          if (total === 0) {
            throw new CliFailure(`--users: ${opts.users} holds no users (it is empty)`, 2, {
              code: 'users_file_invalid',
            });
          }
          const { definition } = compiled.resolved;
          users = readUsersFile(opts.users, {
            campaign: definition.id,
            known: definition.rewards.map((r) => r.id),
          });
        } else {
          const count = synthetic ?? 0;
          total = count;
          const make = syntheticUserFactory(
            compiled.resolved.definition,
            Object.values(compiled.resolved.rules),
            random,
          );
          users = (function* () {
            for (let i = 0; i < count; i++) yield make(i);
          })();
        }
        const bar = progressBar(total, process.stderr);
        let report: DryRunReport;
        try {
          report = await dryRun({
            compiled,
            users,
            total,
            at,
            random,
            distinctUsers: synthetic !== null,
            ...(bar ? { onProgress: bar.update } : {}),
          });
        } catch (error) {
          if (error instanceof UsersFileError) {
            throw new CliFailure(error.message, 1, { code: 'users_file_invalid' });
          }
          throw error;
        } finally {
          bar?.stop();
        }
        if (format === 'json') printJson(report);
        else printLines(textReport(report, compiled.resolved.definition));
      }),
    );
}
