/** `pocket validate [paths…]`: every problem as file:line:col on stderr; exit 1 on errors. */
import type { Command } from 'commander';
import { validCounts } from '../src/definitions/definition-set';
import { formatDiagnostic } from '../src/definitions/diagnostic';
import { loadDefinitions } from '../src/definitions/load-definitions';
import { rootOf } from './definitions';
import {
  action,
  count,
  definitionsInvalidJson,
  diagnosticJson,
  findingsText,
  parseFormat,
  printJson,
  printLines,
} from './output';

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
        // A failure's counts are of valid definitions only, and its summary says so.
        const counts = validCounts(set);
        const findings = findingsText(errors.length, warnings.length);
        const loaded =
          `${count(counts.campaigns, 'campaign')}, ${count(counts.rules, 'rule')}, ` +
          `${count(counts.cases, 'case file')}`;
        if (format === 'json' && errors.length === 0) {
          // The same `{ file, line, col, path, message }` objects as a failure's: one shape for a script to read.
          printJson({ ok: true, ...counts, errors: [], warnings: warnings.map(diagnosticJson) });
          return 0;
        }
        if (format === 'json') {
          // A failure is the `{"error":{…}}` object every verb that loads the definitions prints under
          // --format json (publish's, for the same invalid definitions).
          const { code, message, details } = definitionsInvalidJson(set.diagnostics, counts);
          printJson({ error: { code, message, ...details } });
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
