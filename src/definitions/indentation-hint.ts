import type { LineCounter, YAMLError } from 'yaml';

/** The yaml library's codes for a line indented wrong, whose messages do not say which line or how. */
const INDENTATION: ReadonlySet<string> = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'MISSING_CHAR',
]);

/**
 * What to look at after an indentation error: a tab among the leading spaces of the line or its neighbours (the
 * parser only names a tab when it starts the line), else the lines around it. The parser often stops on the
 * line before the mistake (an over-indented key continues the previous one), so the next line is named too.
 */
/** An over-indented key reads as part of a multi-line key: that key is no place to point at. */
export function misreadKey(e: YAMLError): boolean {
  return e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY';
}

export function indentationHint(e: YAMLError, text: string, lineCounter: LineCounter): string {
  if (!INDENTATION.has(e.code)) return '';
  const { line } = lineCounter.linePos(e.pos[0]);
  const lines = text.split(/\r?\n/);
  for (let n = Math.max(1, line - 1); n <= Math.min(lines.length, line + 1); n++) {
    const indent = /^[ \t]*/.exec(lines[n - 1] ?? '')?.[0] ?? '';
    if (indent.includes('\t')) return `; line ${n} has a tab in its indentation: indent with spaces only`;
  }
  const which = (lines[line] ?? '').trim() === '' ? `line ${line}` : `lines ${line}-${line + 1}`;
  return `; check the indentation of ${which}: the keys of one map start in the same column, and a nested map or list is indented further than its parent key`;
}
