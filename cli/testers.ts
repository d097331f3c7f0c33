/**
 * `pocket testers list|generate|add`: the campaign's whitelisted QA users. `generate` prints tester entries
 * whose synthetic profiles land in a chosen segment (each checked with the compiled rules); `add` writes them
 * into the campaign's YAML file, leaving every other line as it was, and validates the result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { seededRandom } from '../src/decision/random';
import {
  appendTesters,
  flowYaml,
  testerItemLines,
  type TesterEntry,
} from '../src/definitions/append-testers';
import { getCompiledCampaign } from '../src/rules/compiled-campaign-cache';
import type { CompiledCampaign } from '../src/rules/compiled-campaign';
import { factsOf } from '../src/simulation/evaluate-participant';
import {
  generateTesters,
  TesterGenerationError,
  type GeneratedTester,
} from '../src/simulation/tester-generator';
import { loadAll, rootOf, unknownCampaign } from './definitions';
import { action, CliFailure, count, parseFormat, printJson, printLines, table } from './output';
import { integerOption } from './integer-option';

interface GenerateOptions {
  segment: string;
  count: string;
  seed?: string;
  prefix?: string;
  format: string;
}

const MAX_COUNT = 1000;

async function campaignOf(
  root: string,
  campaignId: string,
): Promise<{ compiled: CompiledCampaign; file: string }> {
  const { resolved, set } = await loadAll(root);
  const campaign = resolved.find((r) => r.definition.id === campaignId);
  const file = set.campaigns.get(campaignId)?.file;
  if (!campaign || file === undefined) throw unknownCampaign([campaignId], resolved);
  return { compiled: getCompiledCampaign(campaign), file: resolve(file) };
}

/** Where a profile lands without any request context (a tester sends its own context). */
async function landsIn(
  compiled: CompiledCampaign,
  profile: Record<string, unknown>,
  context = {},
): Promise<string | null> {
  const segment = await compiled.matchSegment(
    factsOf({ userId: 'tester', profile, context }, compiled.resolved.definition),
  );
  return segment?.id ?? null;
}

function note(tester: GeneratedTester): string | undefined {
  return Object.keys(tester.context).length === 0
    ? undefined
    : `lands in its segment when the request sends context ${JSON.stringify(tester.context)}`;
}

/**
 * Ids are `<prefix>-<n>`: a prefix outside the user id alphabet of the participation API (or too long for its 128
 * characters) would print or write testers that validate and publish but can never take part (400).
 */
function checkPrefix(prefix: string | undefined): void {
  if (prefix !== undefined && !/^[A-Za-z0-9._:@-]{1,100}$/.test(prefix)) {
    throw new CliFailure(
      `--prefix must be 1-100 characters of A-Z a-z 0-9 . _ : @ - (a user id) (got "${prefix}")`,
      2,
    );
  }
}

async function generate(root: string, campaignId: string, opts: GenerateOptions) {
  const count = integerOption(opts.count, '--count', 1, MAX_COUNT);
  checkPrefix(opts.prefix);
  const seed = opts.seed ?? String(Date.now());
  const { compiled, file } = await campaignOf(root, campaignId);
  const taken = new Set((compiled.resolved.definition.testers ?? []).map((t) => t.userId));
  try {
    const testers = await generateTesters({
      compiled,
      segmentId: opts.segment,
      count,
      random: seededRandom(seed),
      takenIds: taken,
      ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
    });
    return { compiled, file, seed, testers };
  } catch (error) {
    if (error instanceof TesterGenerationError) {
      throw new CliFailure(error.message, 1, { code: error.code, details: error.details });
    }
    throw error;
  }
}

function withGenerateOptions(command: Command): Command {
  return command
    .requiredOption('--segment <id>', 'the segment the testers must land in (required)')
    .option('--count <n>', 'how many testers', '1')
    .option('--seed <seed>', 'reproducible generation (default: the current time, printed)')
    .option('--prefix <prefix>', 'user id prefix (default: qa-<segment>)');
}

export function registerTesters(program: Command): void {
  const testers = program.command('testers').description("a campaign's whitelisted QA users");

  testers
    .command('list <campaign>')
    .description('list the testers and the segment each profile lands in')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (campaignId: string, opts: { format: string }, command: Command) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const { compiled } = await campaignOf(rootOf(command), campaignId);
        const rows = await Promise.all(
          (compiled.resolved.definition.testers ?? []).map(async (t) => ({
            userId: t.userId,
            segment: await landsIn(compiled, t.profile),
            profile: t.profile,
          })),
        );
        if (format === 'json') {
          printJson({ campaign: campaignId, testers: rows });
          return;
        }
        if (rows.length === 0) {
          printLines([`${campaignId} has no testers; add some with \`pocket testers add\``]);
          return;
        }
        printLines(
          table(
            ['user', 'segment (no request context)', 'profile'],
            rows.map((r) => [r.userId, r.segment ?? '(none)', flowYaml(r.profile)]),
          ),
        );
      }),
    );

  withGenerateOptions(
    testers
      .command('generate <campaign>')
      .description('print tester entries with synthetic profiles that land in a segment')
      .option('--format <format>', 'yaml | json', 'yaml'),
  ).action(
    action(async (campaignId: string, opts: GenerateOptions, command: Command) => {
      if (!['yaml', 'json'].includes(opts.format)) {
        throw new CliFailure(`--format must be one of yaml, json (got "${opts.format}")`, 2);
      }
      const { compiled, seed, testers: generated } = await generate(rootOf(command), campaignId, opts);
      if (opts.format === 'json') {
        printJson({ campaign: campaignId, segment: opts.segment, seed, testers: generated });
        return;
      }
      const min = compiled.resolved.definition.protection?.velocity?.minAccountAgeDays ?? 0;
      const checked = min > 0 ? `, and it passes minAccountAgeDays ${min}` : '';
      printLines([
        `# ${count(generated.length, 'tester')} for segment ${opts.segment} of ${campaignId} (--seed ${seed});`,
        `# each profile was checked: its first matching segment is this one${checked}. Paste under \`testers:\`.`,
        ...generated.flatMap((t) => testerItemLines(entry(t), '')),
      ]);
    }),
  );

  withGenerateOptions(
    testers
      .command('add <campaign>')
      .description("generate testers for a segment and write them into the campaign's YAML file"),
  ).action(
    action(async (campaignId: string, opts: GenerateOptions, command: Command) => {
      const root = rootOf(command);
      const { file, seed, testers: generated } = await generate(root, campaignId, opts);
      const before = readFileSync(file, 'utf8');
      writeFileSync(file, appendTesters(before, generated.map(entry)));
      try {
        await verify(root, campaignId, opts.segment, generated);
      } catch (error) {
        writeFileSync(file, before);
        throw error instanceof CliFailure
          ? new CliFailure(`${error.message}\n${file} was left unchanged`)
          : error;
      }
      printLines([
        `added ${count(generated.length, 'tester')} to ${file} (segment ${opts.segment}, --seed ${seed}):`,
        ...generated.map((t) => `  ${t.userId}${note(t) ? ` (${note(t) ?? ''})` : ''}`),
      ]);
    }),
  );
}

function entry(tester: GeneratedTester): TesterEntry {
  const comment = note(tester);
  return { userId: tester.userId, profile: tester.profile, ...(comment ? { note: comment } : {}) };
}

/** Re-validates the whole repository and checks every written tester lands where it should. */
async function verify(
  root: string,
  campaignId: string,
  segmentId: string,
  written: readonly GeneratedTester[],
) {
  const { compiled } = await campaignOf(root, campaignId);
  const testers = new Map((compiled.resolved.definition.testers ?? []).map((t) => [t.userId, t.profile]));
  for (const tester of written) {
    const profile = testers.get(tester.userId);
    const segment = profile ? await landsIn(compiled, profile, tester.context) : null;
    if (segment !== segmentId) {
      throw new CliFailure(
        `after writing, tester ${tester.userId} lands in ${segment ?? 'no segment'}, not ${segmentId}`,
      );
    }
  }
}
