/**
 * Every option a verb's `--help` offers is in the README's CLI section: in that verb's table row, or (the flags the
 * lifecycle verbs share: --format, --server, --token) in the prose above the rows. The help and the README had
 * drifted apart (flags offered but undocumented: testers' and migrate's --format, rollback's --note, audit's
 * --limit), and only a person comparing them by hand noticed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../../cli/index';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const CLI_SECTION = README.slice(README.indexOf('\n## CLI\n'), README.indexOf('\n## HTTP API\n'));
/** The first cell of each `| \`pocket …\` | … |` row, and the whole row. */
const ROWS = CLI_SECTION.split('\n')
  .filter((line) => line.startsWith('| `pocket '))
  .map((row) => ({ command: row.split(' | ')[0] ?? '', row }));
const SHARED_IN_PROSE = new Set(['--format', '--server', '--token']);

function undocumented(command: Command, path: string[]): string[] {
  return command.commands.flatMap((sub) => {
    const names = [...path, sub.name()];
    const verb = names[0] ?? '';
    const rows = ROWS.filter((r) => new RegExp(`[\`\\s|\\\\]${verb}[\\s\\\\\`|]`).test(r.command));
    const missing = sub.options
      .map((option) => option.long ?? option.short ?? option.flags)
      .filter((flag) => {
        if (rows.some((r) => r.row.includes(flag))) return false;
        return !(SHARED_IN_PROSE.has(flag) && CLI_SECTION.includes(flag));
      })
      .map((flag) => `pocket ${names.join(' ')} ${flag}`);
    return [...missing, ...undocumented(sub, names)];
  });
}

describe("the README's CLI section", () => {
  it('has a row for every verb', async () => {
    const program = await buildProgram([]);
    const verbs = program.commands.map((c) => c.name());
    const missing = verbs.filter(
      (verb) => !ROWS.some((r) => new RegExp(`[\`\\s|\\\\]${verb}[\\s\\\\\`|]`).test(r.command)),
    );
    expect(missing).toEqual([]);
    expect(verbs.length).toBeGreaterThan(15);
  });

  it("names every option each verb's --help offers", async () => {
    expect(undocumented(await buildProgram([]), [])).toEqual([]);
  });
});
