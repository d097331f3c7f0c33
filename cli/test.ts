/** `pocket test [campaign…]`: runs campaigns/<id>.test.yaml; a failure shows the case and the condition results. */
import type { Command } from 'commander';
import type { ConditionResult } from '../src/rules/compiled-campaign';
import { getCompiledCampaign } from '../src/rules/compiled-campaign-cache';
import { runCases, type CaseResult } from '../src/simulation/case-runner';
import { decidedBeforeSegments } from '../src/simulation/evaluate-participant';
import { loadAll, rootOf, unknownCampaign } from './definitions';
import { localTime } from '../src/shared/local-time';
import { action, CliFailure, count, parseFormat, printJson, printLines } from './output';

function describeCondition(c: ConditionResult): string {
  const where = c.factPath ? `${c.fact}.${c.factPath.replace(/^\$\./, '')}` : c.fact;
  const got = c.factValue === undefined ? 'missing' : JSON.stringify(c.factValue);
  return `${c.result ? 'true ' : 'false'}  ${c.rule} ${c.path}: ${where} ${c.operator} ${JSON.stringify(c.value)} (got ${got})`;
}

function caseLines(
  result: CaseResult & { line: number; col: number },
  file: string,
  timeZone: string,
): string[] {
  if (result.passed) return [`  ok    ${result.name}`];
  const lines = [
    `  FAIL  ${result.name} (${file}:${result.line}:${result.col})`,
    ...result.failures.map((f) => `        ${f}`),
  ];
  // A participation refused before segments are matched has no segment, whatever the conditions say.
  const notReached = decidedBeforeSegments(result.actual)
    ? ` (not reached: ${result.actual.outcome} is decided first)`
    : '';
  lines.push(`        at ${localTime(result.actual.at, timeZone)}; conditions${notReached}:`);
  for (const segment of result.explanation.segments) {
    lines.push(
      `          segment ${segment.segment}${segment.rule ? ` (${segment.rule})` : ' (everyone)'}: ${segment.matched ? 'matched' : 'no match'}`,
    );
    for (const c of segment.conditions) lines.push(`            ${describeCondition(c)}`);
  }
  return lines;
}

export function registerTest(program: Command): void {
  program
    .command('test [campaigns...]')
    .description("run the campaigns' <id>.test.yaml cases")
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (ids: string[], opts: { format: string }, command: Command) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const { resolved, set } = await loadAll(rootOf(command));
        const wanted = ids.length > 0 ? ids : [...set.cases.keys()].sort();
        const files = [];
        for (const id of wanted) {
          const cases = set.cases.get(id);
          const campaign = resolved.find((r) => r.definition.id === id);
          if (!campaign) throw unknownCampaign([id], resolved);
          if (!cases) throw new CliFailure(`campaign "${id}" has no campaigns/${id}.test.yaml`);
          const results = await runCases(getCompiledCampaign(campaign), cases.cases.cases);
          files.push({
            campaign: id,
            file: cases.file,
            // Where each case starts, so that an editor or a CI annotation can jump to a failing one.
            results: results.map((r, i) => ({ ...r, ...(cases.positions[i] ?? { line: 1, col: 1 }) })),
          });
        }
        const all = files.flatMap((f) => f.results);
        const failed = all.filter((r) => !r.passed).length;
        const untested = resolved.map((r) => r.definition.id).filter((id) => !set.cases.has(id));
        if (format === 'json') {
          // Nothing tested is a failure, so it is the error object every verb prints, not a report reading
          // `failed: 0` that a `jq -e '.failed == 0'` in CI would pass.
          if (all.length === 0) {
            const why =
              resolved.length === 0
                ? 'no campaigns to test under campaigns/'
                : `nothing to test: no cases for ${untested.join(', ')}`;
            throw new CliFailure(why, 1, { code: 'no_cases', details: { untested } });
          }
          printJson({ passed: all.length - failed, failed, untested, files });
        } else {
          const zoneOf = (id: string) =>
            resolved.find((r) => r.definition.id === id)?.definition.timezone ?? 'UTC';
          for (const f of files)
            printLines([f.file, ...f.results.flatMap((r) => caseLines(r, f.file, zoneOf(f.campaign)))]);
          if (ids.length === 0 && untested.length > 0)
            printLines([`warning: no cases for ${untested.join(', ')}`], process.stderr);
          printLines([
            `${count(files.length, 'file')}, ${count(all.length, 'case')}: ${all.length - failed} passed, ${failed} failed`,
          ]);
        }
        // Nothing to test at all fails too (a wrong --root must not pass CI): say why, since no warning did.
        if (resolved.length === 0)
          printLines(['pocket: no campaigns to test under campaigns/'], process.stderr);
        return failed === 0 && all.length > 0 ? 0 : 1;
      }),
    );
}
