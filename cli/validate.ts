/** `pocket validate [paths…]`: every problem as file:line:col on stderr; exit 1 on errors. */
import type { Command } from 'commander';
import { formatDiagnostic } from '../src/definitions/diagnostic';
import { loadDefinitions } from '../src/definitions/load-definitions';
import { rootOf } from './definitions';
import { action, parseFormat, printJson, printLines } from './output';

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
        if (format === 'json') {
          printJson({
            ok: errors.length === 0,
            campaigns: set.campaigns.size,
            rules: set.rules.size,
            cases: set.cases.size,
            errors,
            warnings,
          });
        } else {
          printLines(set.diagnostics.map(formatDiagnostic), process.stderr);
          const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
          const summary =
            `${count(set.campaigns.size, 'campaign')}, ${count(set.rules.size, 'rule')}, ` +
            `${count(set.cases.size, 'case file')}: ${count(errors.length, 'error')}, ${count(warnings.length, 'warning')}`;
          printLines(
            [errors.length === 0 ? `ok: ${summary}` : `invalid: ${summary}`],
            errors.length === 0 ? process.stdout : process.stderr,
          );
        }
        return errors.length === 0 ? 0 : 1;
      }),
    );
}
