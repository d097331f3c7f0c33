#!/usr/bin/env node
/** The `pocket` CLI: one file per verb; every verb calls src/ and never reimplements it. */
import { Command } from 'commander';
import { registerDryRun } from './dry-run';
import { registerExplain } from './explain';
import { registerMigrate } from './migrate';
import { registerServe } from './serve';
import { registerTest } from './test';
import { registerValidate } from './validate';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pocket')
    .description('pocket: marketing campaigns as code: validate, test, dry-run, publish, serve')
    .showHelpAfterError()
    .option(
      '--root <dir>',
      'the definitions repository holding campaigns/ and rules/ (default: POCKET_DEFINITIONS or .)',
    )
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerValidate(program);
  registerTest(program);
  registerDryRun(program);
  registerExplain(program);
  registerServe(program);
  registerMigrate(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`pocket: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
