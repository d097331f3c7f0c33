#!/usr/bin/env node
/** The `pocket` CLI: one file per verb; every verb calls src/ and never reimplements it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../src/shared/package-root';
import { registerAudit } from './audit';
import { registerBlocklist } from './blocklist';
import { registerCodes } from './codes';
import { registerDiff } from './diff';
import { registerDiscrepancies } from './discrepancies';
import { registerDryRun } from './dry-run';
import { registerExplain } from './explain';
import { registerGrants } from './grants';
import { registerMigrate } from './migrate';
import { printJson } from './output';
import { registerPauseResume } from './pause';
import { registerPublish } from './publish';
import { registerReconcile } from './reconcile';
import { registerReport } from './report';
import { registerRollback } from './rollback';
import { registerServe } from './serve';
import { registerTest } from './test';
import { registerTesters } from './testers';
import { registerTokens } from './tokens';
import { registerValidate } from './validate';
import { registerVersions } from './versions';
import { registerWorker } from './worker';

/** The version in package.json (found from the sources and from dist/ alike). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * `pocket … | head` closes stdout early: the rest of the output is unwanted, not an error. Drop it quietly
 * instead of crashing with an EPIPE stack trace, and let the command finish with its own exit code: a failed
 * `pocket test | head` or `pocket validate --format json | head -c0` must not exit 0 under `set -o pipefail`.
 * Any other stdout error still surfaces.
 */
function ignoreClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    process.stdout.write = (() => true) as typeof process.stdout.write;
  });
}

/** Whether the arguments ask for `--format json` (before a `--` that ends the options). */
export function askedForJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  return options.some((a, i) => a === '--format=json' || (a === '--format' && options[i + 1] === 'json'));
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pocket')
    .description('pocket: marketing campaigns as code: validate, test, dry-run, publish, serve')
    .version(packageVersion(), '-V, --version', "print pocket's version")
    .showHelpAfterError()
    .option(
      '--root <dir>',
      'the definitions repository holding campaigns/ and rules/ (default: POCKET_DEFINITIONS or .)',
    )
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // Usage errors throw instead of exiting, so that they exit 2 like every other bad option value
    // (subcommands inherit this: it must come before they are registered).
    .exitOverride();
  registerValidate(program);
  registerTest(program);
  registerDryRun(program);
  registerExplain(program);
  registerPublish(program);
  registerVersions(program);
  registerDiff(program);
  registerRollback(program);
  registerPauseResume(program);
  registerAudit(program);
  registerServe(program);
  registerMigrate(program);
  registerWorker(program);
  registerReconcile(program);
  registerGrants(program);
  registerDiscrepancies(program);
  registerTokens(program);
  registerTesters(program);
  registerReport(program);
  registerCodes(program);
  registerBlocklist(program);
  return program;
}

if (require.main === module) {
  ignoreClosedStdout();
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      if (err instanceof CommanderError) {
        // commander has already printed the message (and the usage); help and version exit 0.
        process.exitCode = err.exitCode === 0 ? 0 : 2;
        // Options were not parsed, so the asked format is read off the arguments (as action() would print it).
        if (err.exitCode !== 0 && askedForJson(process.argv.slice(2))) {
          printJson({ error: { code: 'usage', message: err.message.replace(/^error: /, '') } });
        }
        return;
      }
      process.stderr.write(`pocket: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
