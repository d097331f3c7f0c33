import type { LineCounter, YAMLError } from 'yaml';

/** The yaml library's codes when a line does not read as `key: value`; its messages blame the indentation. */
const MISREAD_LINE: ReadonlySet<string> = new Set([
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'MISSING_CHAR',
]);

/** Optional indentation and list dash, then a key as definitions write them (`owner`, `minSpend`, `rate-limit`). */
const KEY_AT_LINE_START = /^([ ]*(?:-[ ]+)*)([A-Za-z_][A-Za-z0-9_-]*)/;

/**
 * The slip on the line a YAML error points at, when the source line shows it: a key without its `: `
 * (`owner growth-team`, `owner:growth-team`, `segments`) or an unquoted value holding `: `
 * (`name: Sale: 50% off`). The yaml library calls these "implicit keys need to be on a single line" or "nested
 * mappings are not allowed in compact mappings", and the indentation is not what is wrong.
 */
export function lineMistake(e: YAMLError, text: string, lineCounter: LineCounter): string | undefined {
  if (!MISREAD_LINE.has(e.code)) return undefined;
  const { line, col } = lineCounter.linePos(e.pos[0]);
  const source = (text.split(/\r?\n/)[line - 1] ?? '').replace(/\s+#.*$/, '').trimEnd();
  return e.code === 'BLOCK_AS_IMPLICIT_KEY' ? colonInValue(source, col) : missingColon(source, col);
}

/** `owner growth-team` / `owner:growth-team` / `segments`, where the parser stopped at the key. */
function missingColon(source: string, col: number): string | undefined {
  const match = KEY_AT_LINE_START.exec(source);
  if (!match || match[1]?.length !== col - 1) return undefined;
  const [, lead = '', key = ''] = match;
  const rest = source.slice(lead.length + key.length);
  if (rest === '') return `missing ":" after the key "${key}"`;
  const value = /^:(\S.*)$/.exec(rest)?.[1] ?? /^ +([^:]*)$/.exec(rest)?.[1];
  if (value === undefined) return undefined;
  return `missing ": " after the key "${key}": write ${key}: ${value}`;
}

/** `name: Sale: 50% off`, where the parser stopped at the value (column `col`) that holds another `: `. */
function colonInValue(source: string, col: number): string | undefined {
  const value = source.slice(col - 1);
  const before = source.slice(0, col - 1);
  const key = /^[ ]*(?:-[ ]+)*([^\s:#][^:]*):[ ]+$/.exec(before)?.[1];
  if (key === undefined || !/: /.test(value) || /^["'[{|>&*!]/.test(value)) return undefined;
  return `a value holding ": " must be quoted: ${key}: ${JSON.stringify(value)}`;
}
