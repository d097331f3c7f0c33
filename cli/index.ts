#!/usr/bin/env node
/** The `pocket` CLI: one file per verb; every verb calls src/ and never reimplements it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../src/shared/package-root';
import { printJson } from './output';

type Register = (program: Command) => void;

/**
 * Every verb and the module that registers it, in help order. A run loads only its verb's module (and what that
 * imports): `pocket validate` never loads the ledger's, Redis' or the server's dependencies, and starts about 0.4 s
 * sooner (README Decisions, CLI). The full help, `help`, and a name that is no verb load them all.
 */
const VERBS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['validate'], load: async () => (await import('./validate')).registerValidate },
  { names: ['test'], load: async () => (await import('./test')).registerTest },
  { names: ['dry-run'], load: async () => (await import('./dry-run')).registerDryRun },
  { names: ['explain'], load: async () => (await import('./explain')).registerExplain },
  { names: ['publish'], load: async () => (await import('./publish')).registerPublish },
  { names: ['versions'], load: async () => (await import('./versions')).registerVersions },
  { names: ['diff'], load: async () => (await import('./diff')).registerDiff },
  { names: ['rollback'], load: async () => (await import('./rollback')).registerRollback },
  { names: ['pause', 'resume'], load: async () => (await import('./pause')).registerPauseResume },
  { names: ['audit'], load: async () => (await import('./audit')).registerAudit },
  { names: ['serve'], load: async () => (await import('./serve')).registerServe },
  { names: ['migrate'], load: async () => (await import('./migrate')).registerMigrate },
  { names: ['worker'], load: async () => (await import('./worker')).registerWorker },
  { names: ['reconcile'], load: async () => (await import('./reconcile')).registerReconcile },
  { names: ['grants'], load: async () => (await import('./grants')).registerGrants },
  { names: ['discrepancies'], load: async () => (await import('./discrepancies')).registerDiscrepancies },
  { names: ['tokens'], load: async () => (await import('./tokens')).registerTokens },
  { names: ['testers'], load: async () => (await import('./testers')).registerTesters },
  { names: ['report'], load: async () => (await import('./report')).registerReport },
  { names: ['codes'], load: async () => (await import('./codes')).registerCodes },
  { names: ['blocklist'], load: async () => (await import('./blocklist')).registerBlocklist },
];

/**
 * The verb the arguments name: the first that is neither an option nor the value of the global `--root`. None
 * when the program's own help or version is asked for before it (`pocket -h validate` lists every verb).
 */
export function verbOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return args[i + 1];
    if (['-h', '--help', '-V', '--version'].includes(arg)) return undefined;
    if (arg === '--root') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The version in package.json (found from the sources and from dist/ alike). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * `pocket … | head` closes stdout early: the rest of the output is unwanted, not an error. Drop it quietly
 * instead of crashing with an EPIPE stack trace, and let the command finish with its own exit code: a failed
 * `pocket test | head` or `pocket validate --format json | head -c0` must not exit 0 under `set -o pipefail`.
 * The same for stderr (`pocket reconcile 2>&1 | head`): its reader gone, the first log line killed the run
 * halfway, left it `running` and its discrepancies unrecorded. Any other error on them still surfaces.
 */
function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      stream.write = (() => true) as typeof stream.write;
    });
  }
}

/** Whether the arguments ask for `--format json` (before a `--` that ends the options). */
export function askedForJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  return options.some((a, i) => a === '--format=json' || (a === '--format' && options[i + 1] === 'json'));
}

/** The program for `args` (the arguments after the script's path): its verb's commands, or all of them. */
export async function buildProgram(args: readonly string[]): Promise<Command> {
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
  const verb = verbOf(args);
  const named = VERBS.filter((v) => verb !== undefined && v.names.includes(verb));
  const registers = await Promise.all((named.length > 0 ? named : VERBS).map((v) => v.load()));
  for (const register of registers) register(program);
  return program;
}

if (require.main === module) {
  ignoreClosedOutput();
  buildProgram(process.argv.slice(2))
    .then((program) => program.parseAsync(process.argv))
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
