/** Shared CLI plumbing: output formats, failures to stderr with a non-zero exit code. */
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

/** Runs a command action; failures go to stderr and set the exit code, never a stack trace for known ones. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      if (err instanceof CliFailure) {
        process.stderr.write(`pocket: ${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(
        `pocket: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
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
