/** Shared CLI plumbing: output formats, failures to stderr with a non-zero exit code. */
import { Command } from 'commander';
import { ConfigError } from '../src/config';
import { DefinitionsInvalidError } from '../src/definitions/definitions-invalid-error';
import type { DefinitionCounts } from '../src/definitions/definition-set';
import { formatDiagnostic, type Diagnostic } from '../src/definitions/diagnostic';
import { AppError } from '../src/errors/app-error';
import { dependencyOf } from '../src/errors/dependency-failure';
import { ListenError } from '../src/http/listen-error';
import { LedgerSchemaError } from '../src/ledger/migrate';
import { sqliteBusy, SqliteLockedError } from '../src/ledger/sqlite-write-lock';

export type Format = 'text' | 'json' | 'table' | 'csv';

/**
 * A failure the operator can act on: its message goes to stderr without a stack. `code` and `details` make the
 * `{"error":{code,message,…details}}` object printed on stdout under `--format json` (code default: `invalid_option`
 * for exit 2, else `failed`); `jsonMessage` replaces a multi-line text message there.
 */
export class CliFailure extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly jsonMessage: string;

  constructor(
    message: string,
    readonly exitCode = 1,
    json: { code?: string; message?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.code = json.code ?? (exitCode === 2 ? 'invalid_option' : 'failed');
    this.details = json.details ?? {};
    this.jsonMessage = json.message ?? message;
  }
}

/**
 * What a verb that reads the ledger or a `--server` answer runs, with an AppError (campaign_not_found, a refused
 * token…) made its failure: exit 1, the message with its code, and both kept for `--format json`.
 */
export async function readingAs<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError) {
      throw new CliFailure(`${error.message} (${error.code})`, 1, {
        code: error.code,
        message: error.message,
        details: error.details,
      });
    }
    throw error;
  }
}

/** A diagnostic as the JSON error object lists it: `{ file, line, col, path, message }`. */
export function diagnosticJson({ file, line, col, path, message }: Diagnostic): Record<string, unknown> {
  return { file, line, col, path, message };
}

/**
 * Invalid definitions under --format json, one object whichever verb loaded them (`validate`, `publish`, `diff`,
 * `dry-run`…): the findings in the message, every error and warning as `{ file, line, col, path, message }`, and
 * the counts of valid definitions. `publish` gave a bare message and the errors only.
 */
export function definitionsInvalidJson(
  diagnostics: readonly Diagnostic[],
  counts: DefinitionCounts,
): { code: string; message: string; details: Record<string, unknown> } {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  return {
    code: 'definitions_invalid',
    message: `definitions are invalid: ${findingsText(errors.length, warnings.length)}`,
    details: { errors: errors.map(diagnosticJson), warnings: warnings.map(diagnosticJson), ...counts },
  };
}

export function findingsText(errors: number, warnings: number): string {
  return `${count(errors, 'error')}, ${count(warnings, 'warning')}`;
}

/**
 * Invalid definitions, wherever a verb loaded them (validate's format: every error as file:line:col), under a
 * line that counts them; the warnings are counted there and left to `pocket validate`, which shows them.
 */
export function definitionsFailure(error: DefinitionsInvalidError): CliFailure {
  const errors = error.diagnostics.filter((d) => d.severity === 'error');
  const warnings = error.diagnostics.length - errors.length;
  const rest = warnings === 0 ? '' : ` (\`pocket validate\` also shows ${count(warnings, 'warning')})`;
  return new CliFailure(
    `definitions are invalid: ${count(errors.length, 'error')}${rest}:\n${errors.map(formatDiagnostic).join('\n')}`,
    1,
    definitionsInvalidJson(error.diagnostics, error.counts),
  );
}

/**
 * The ledger stopped answering (a statement past its deadline, a connection that could not be had) or went away
 * while a verb ran: one line naming it and what to do, exit 1, `dependency_unavailable`, never a stack trace.
 * `advice` says what the verb may have left (default: nothing to undo, run it again).
 */
export function ledgerUnavailable(
  error: unknown,
  advice = 'run the command again once it answers',
): CliFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code.startsWith('SQLITE_FULL')) {
    // It answered, and no wait makes it work: "did not answer … once it answers" (with the statement) sent the
    // operator looking for a hung process instead of at the disk.
    const message =
      'the SQLite ledger cannot be written: its disk is full (SQLITE_FULL); free space on it (or move ' +
      'POCKET_DATA_DIR to a bigger one), then run the command again';
    return new CliFailure(message, 1, { code: 'ledger_full', message });
  }
  const ledger = typeof code === 'string' && code.startsWith('SQLITE_') ? 'SQLite file' : 'DATABASE_URL';
  return new CliFailure(`the ledger (${ledger}) did not answer: ${reason}; ${advice}`, 1, {
    code: 'dependency_unavailable',
    message: `the ledger did not answer: ${reason}`,
    details: { dependency: 'ledger' },
  });
}

export function parseFormat(value: string, allowed: readonly Format[]): Format {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliFailure(`--format must be one of ${allowed.join(', ')} (got "${value}")`, 2);
  }
  return value as Format;
}

/** `1 file`, `2 files`: a count with its noun in the right number. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[], stream: NodeJS.WriteStream = process.stdout): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

const FS_REASONS: Record<string, string> = {
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/** A Node fs error caused by the path it names (a bad --root, POCKET_DATA_DIR, …): the operator's to fix. */
function fsFailure(err: unknown): { path: string; errno: string } | null {
  if (!(err instanceof Error)) return null;
  const { code, path } = err as NodeJS.ErrnoException;
  if (code === undefined || !(code in FS_REASONS) || typeof path !== 'string') return null;
  return { path, errno: code };
}

/**
 * SQLite's own words for a ledger file damaged inside (SQLITE_CORRUPT and its extended codes, SQLITE_NOTADB),
 * without the statement knex puts before them; null for any other error.
 */
function sqliteDamage(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return null;
  return `${err.message.split(' - ').pop() ?? err.message}, ${code}`;
}

interface Failure {
  message: string;
  exitCode: number;
  /** The `error` object printed on stdout under --format json. */
  json: Record<string, unknown>;
}

/** The message, exit code and JSON error of a failure; a stack trace only for an unexpected error. */
function describeFailure(err: unknown): Failure {
  if (err instanceof DefinitionsInvalidError) return describeFailure(definitionsFailure(err));
  if (err instanceof CliFailure) {
    return {
      message: err.message,
      exitCode: err.exitCode,
      json: { code: err.code, message: err.jsonMessage, ...err.details },
    };
  }
  if (err instanceof ListenError) {
    return { message: err.message, exitCode: 1, json: { code: 'listen_failed', message: err.message } };
  }
  // A bad environment is the operator's to fix, not a crash: the variables and why, no stack.
  if (err instanceof ConfigError) {
    return {
      message: err.message,
      exitCode: 1,
      json: { code: 'invalid_configuration', message: err.message },
    };
  }
  if (err instanceof LedgerSchemaError) {
    return { message: err.message, exitCode: 1, json: { code: err.code, message: err.message } };
  }
  if (sqliteBusy(err)) {
    // `serve` and `worker` wait for the lock on timers, for their own time (SqliteLockedError); a verb, busy_timeout.
    const waited = err instanceof SqliteLockedError ? err.waitedMs / 1000 : 5;
    const message =
      `the SQLite ledger is locked: another process has held a write transaction open on it for over ${waited} s ` +
      '(a sqlite3 shell, or a database browser with changes not written yet); end it, then try again';
    return { message, exitCode: 1, json: { code: 'ledger_locked', message } };
  }
  const damage = sqliteDamage(err);
  if (damage) {
    // Past the boot check (the file's header reads as SQLite), a damaged page surfaces in the first statement
    // that reads it: a driver stack, as an "unexpected error", told the operator nothing about what to do.
    const message =
      `the SQLite ledger is damaged (${damage}): stop every pocket on it, then restore pocket.sqlite from a ` +
      'backup (`sqlite3 pocket.sqlite "PRAGMA integrity_check"` lists the damage)';
    return { message, exitCode: 1, json: { code: 'ledger_corrupt', message } };
  }
  const fs = fsFailure(err);
  if (fs) {
    const message = `cannot use ${fs.path}: ${FS_REASONS[fs.errno] ?? fs.errno} (${fs.errno})`;
    return { message, exitCode: 1, json: { code: 'path_unusable', message, path: fs.path, errno: fs.errno } };
  }
  // Every verb's ledger failure, whichever way it reached the ledger (a worker part, a store, a deadline'd db).
  if (dependencyOf(err) === 'ledger') return describeFailure(ledgerUnavailable(err));
  const text = err instanceof Error ? err.message : String(err);
  return {
    message: `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    exitCode: 1,
    json: { code: 'unexpected', message: text },
  };
}

/** Whether the command an action runs for (commander passes it last) was given `--format json`. */
function wantsJson(args: readonly unknown[]): boolean {
  const command = args[args.length - 1];
  return command instanceof Command && command.opts<{ format?: unknown }>().format === 'json';
}

/**
 * Runs a command action; failures go to stderr and set the exit code, never a stack trace for known ones.
 * Under `--format json` a failure also prints one `{"error":{code,message,…}}` object on stdout, so that
 * `pocket … --format json | jq` always has a document to read.
 * `exitOnFailure` (the long-running verbs, serve and worker): a failure exits the process at once, since a
 * boot that failed halfway may have left timers, pools or sockets open that would keep it alive, not listening.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void>,
  options: { exitOnFailure?: boolean } = {},
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      const { message, exitCode, json } = describeFailure(err);
      if (wantsJson(args)) printJson({ error: json });
      process.stderr.write(`pocket: ${message}\n`);
      process.exitCode = exitCode;
      // stdout and stderr are synchronous for files, pipes and terminals on Linux: out before the exit.
      if (options.exitOnFailure) process.exit(exitCode);
    }
  };
}

/**
 * C0 and C1 controls, DEL, the bidirectional marks, overrides and isolates that reorder what a terminal shows,
 * and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text someone else wrote (a note, a reason, an author, a token's name) as a terminal may show it: control
 * characters escaped as JSON writes them (`\n`, `\u001b`), so a note cannot clear the screen, retitle the window
 * or add a line that looks like another row. `diff` shows values as JSON already.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Renders rows as an aligned text table, every cell printable. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly (string | number)[]>,
): string[] {
  const cells = [headers, ...rows].map((r) => r.map((c) => printable(String(c))));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}
