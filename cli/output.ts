/** Shared CLI plumbing: output formats, failures to stderr with a non-zero exit code. */
import { ConfigError } from '../src/config';

export type Format = 'text' | 'json' | 'table' | 'csv';

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function parseFormat(value: string, allowed: readonly Format[]): Format {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliFailure(`--format must be one of ${allowed.join(', ')} (got "${value}")`, 2);
  }
  return value as Format;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[], stream: NodeJS.WriteStream = process.stdout): void {
  if (lines.length > 0) stream.write(`${lines.join('\n')}\n`);
}

/** The message and exit code of a failure; a stack trace only for an unexpected error. */
function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliFailure) return { message: err.message, exitCode: err.exitCode };
  // A bad environment is the operator's to fix, not a crash: the variables and why, no stack.
  if (err instanceof ConfigError) return { message: err.message, exitCode: 1 };
  return {
    message: `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    exitCode: 1,
  };
}

/**
 * Runs a command action; failures go to stderr and set the exit code, never a stack trace for known ones.
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
      const { message, exitCode } = describeFailure(err);
      process.stderr.write(`pocket: ${message}\n`);
      process.exitCode = exitCode;
      // stderr is synchronous for files, pipes and terminals on Linux, so the message is out before the exit.
      if (options.exitOnFailure) process.exit(exitCode);
    }
  };
}

/** Renders rows as an aligned text table. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly (string | number)[]>,
): string[] {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}
