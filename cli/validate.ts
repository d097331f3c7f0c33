/** `pocket validate [paths…]`: every problem as file:line:col on stderr; exit 1 on errors. */
import type { Command } from 'commander';
import { formatDiagnostic } from '../src/definitions/diagnostic';
import { loadDefinitions } from '../src/definitions/load-definitions';
import { rootOf } from './definitions';
import { action, count, diagnosticJson, parseFormat, printJson, printLines } from './output';

export function registerValidate(program: Command): void {
  program
    .command('validate [paths...]')
    .description('validate campaigns/, rules/ and test cases against the schemas and cross-file checks')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (paths: string[], opts: { format: string }, command: Command) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const set = await loadDefinitions({ root: rootOf(command), ...(paths.length > 0 ? { paths } : {}) });
        const errors = set.diagnostics.filter((d) => d.severity === 'error');
        const warnings = set.diagnostics.filter((d) => d.severity === 'warning');
        // Definitions whose file has no error: a campaign with a cross-file error (a rule that is not defined)
        // parses and is kept for the other checks, but it is not valid, and a failure's summary says so.
        const broken = new Set(errors.map((d) => d.file));
        const valid = (entries: ReadonlyMap<string, { file: string }>) =>
          [...entries.values()].filter((e) => !broken.has(e.file)).length;
        const counts = { campaigns: valid(set.campaigns), rules: valid(set.rules), cases: valid(set.cases) };
        const findings = `${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}`;
        const loaded =
          `${count(counts.campaigns, 'campaign')}, ${count(counts.rules, 'rule')}, ` +
          `${count(counts.cases, 'case file')}`;
        if (format === 'json' && errors.length === 0) {
          // The same `{ file, line, col, path, message }` objects as a failure's: one shape for a script to read.
          printJson({ ok: true, ...counts, errors: [], warnings: warnings.map(diagnosticJson) });
          return 0;
        }
        if (format === 'json') {
          // A failure is the `{"error":{…}}` object every verb prints under --format json (publish's, for the same
          // invalid definitions), with the warnings and counts a success would have given.
          printJson({
            error: {
              code: 'definitions_invalid',
              message: `definitions are invalid: ${findings}`,
              errors: errors.map(diagnosticJson),
              warnings: warnings.map(diagnosticJson),
              ...counts,
            },
          });
        }
        // Errors go to stderr under either format; a clean run's warnings only in text (JSON carries them).
        if (format === 'text' || errors.length > 0)
          printLines(set.diagnostics.map(formatDiagnostic), process.stderr);
        if (errors.length > 0) {
          printLines([`invalid: ${findings} (valid: ${loaded})`], process.stderr);
          return 1;
        }
        printLines([`ok: ${loaded}: ${findings}`]);
        return 0;
      }),
    );
}
