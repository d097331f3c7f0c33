import type { LineCounter, YAMLError } from 'yaml';
import { describeCharacter } from './suspicious-characters';

/** The yaml library's codes for a line indented wrong, whose messages do not say which line or how. */
const INDENTATION: ReadonlySet<string> = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'MISSING_CHAR',
]);

/** Whether the yaml library's error is one of a line indented wrong. */
export function isIndentationError(e: YAMLError): boolean {
  return INDENTATION.has(e.code);
}

/** An over-indented key reads as part of a multi-line key: that key is no place to point at. */
export function misreadKey(e: YAMLError): boolean {
  return e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY';
}

/**
 * Where to point for an indentation error: the yaml library puts a key indented too little (`BAD_INDENT`, a
 * `MISSING_CHAR` "sequence item without -") at column 1 of its line, among the blanks; the key starts after them.
 */
export function indentationErrorOffset(e: YAMLError, text: string): number {
  const at = e.pos[0];
  if (!INDENTATION.has(e.code)) return at;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const blanks = /^[ \t]*/.exec(text.slice(lineStart))?.[0].length ?? 0;
  return at < lineStart + blanks ? lineStart + blanks : at;
}

/** Leading blanks as an editor shows them: spaces, tabs and the spaces YAML does not count as indentation. */
const LEADING_BLANKS = /^[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]*/;

function blankName(char: string): string {
  if (char === '\t') return 'a tab';
  if (char === '\u00a0') return 'a non-breaking space (U+00A0)';
  return describeCharacter(char);
}

/**
 * A tab or a non-breaking (or other unusual) space among the leading blanks of the line of an indentation
 * error or its neighbours: the parser only names a tab when it starts the line, and never a non-breaking space,
 * which YAML reads as text.
 */
export function strayIndentation(e: YAMLError, text: string, lineCounter: LineCounter): string {
  if (!INDENTATION.has(e.code)) return '';
  const { line } = lineCounter.linePos(e.pos[0]);
  const lines = text.split(/\r?\n/);
  for (let n = Math.max(1, line - 1); n <= Math.min(lines.length, line + 1); n++) {
    const indent = LEADING_BLANKS.exec(lines[n - 1] ?? '')?.[0] ?? '';
    const odd = [...indent].find((c) => c !== ' ');
    if (odd === undefined) continue;
    const fix = odd === '\t' ? 'indent with spaces only' : 'use plain spaces';
    return `; line ${n} has ${blankName(odd)} in its indentation: ${fix}`;
  }
  return '';
}

/**
 * What to look at after an indentation error: the lines around it. The parser often stops on the line before
 * the mistake (an over-indented key continues the previous one), so the next line is named too.
 */
export function indentationHint(e: YAMLError, text: string, lineCounter: LineCounter): string {
  if (!INDENTATION.has(e.code)) return '';
  const { line } = lineCounter.linePos(e.pos[0]);
  const lines = text.split(/\r?\n/);
  const which = (lines[line] ?? '').trim() === '' ? `line ${line}` : `lines ${line}-${line + 1}`;
  return `; check the indentation of ${which}: the keys of one map start in the same column, and a nested map or list is indented further than its parent key`;
}
