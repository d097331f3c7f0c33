/** The CLI loads only the module of the verb it runs (cli/index.ts): the table must name every command. */
import { buildProgram, verbOf } from '../../../cli/index';

const names = (program: { commands: ReadonlyArray<{ name(): string }> }): string[] =>
  program.commands.map((c) => c.name());

describe('pocket verbs', () => {
  it.each([
    [['validate'], 'validate'],
    [['validate', '--format', 'json'], 'validate'],
    [['--root', 'defs', 'publish', 'sale'], 'publish'],
    [['--root=defs', 'versions', 'sale'], 'versions'],
    [['--', 'test'], 'test'],
    [['-h', 'validate'], undefined],
    [['--version'], undefined],
    [[], undefined],
  ])('%j names the verb %s', (args, verb) => {
    expect(verbOf(args)).toBe(verb);
  });

  it('registers only the named verb, and every verb of the full program by its name', async () => {
    const all = names(await buildProgram([]));
    expect(all).toEqual(expect.arrayContaining(['validate', 'serve', 'pause', 'resume', 'blocklist']));
    for (const verb of all) {
      const only = names(await buildProgram([verb]));
      expect(only).toContain(verb);
      expect(only.length).toBeLessThanOrEqual(2); // pause and resume come from one module
    }
    expect(names(await buildProgram(['pause']))).toEqual(['pause', 'resume']);
  });

  it('registers every verb when the name is none (commander then suggests the closest)', async () => {
    expect(names(await buildProgram(['valdate']))).toEqual(names(await buildProgram([])));
  });
});
