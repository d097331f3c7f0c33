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
  const { line, col } = lineCounter.linePos(e.pos[0]);
  const lines = text.split(/\r?\n/);
  const source = (lines[line - 1] ?? '').replace(/\s+#.*$/, '').trimEnd();
  if (e.code === 'BLOCK_IN_FLOW' || e.code === 'MULTILINE_IMPLICIT_KEY') {
    const opener = flowOpener(text, e.pos[0]);
    const flow = opener === undefined ? undefined : missingFlowComma(source, col, lines[line] ?? '', opener);
    if (flow !== undefined) return flow;
  }
  if (!MISREAD_LINE.has(e.code)) return undefined;
  return e.code === 'BLOCK_AS_IMPLICIT_KEY' ? colonInValue(source, col) : missingColon(source, col);
}

/**
 * The `{` or `[` of the innermost flow collection open at `offset`, if any. A quote counts only where a scalar
 * can start with one (after a blank, `:`, `,`, `[` or `{`), so an apostrophe in plain text (`Bob's pick`) opens
 * nothing; a `#` after a blank starts a comment.
 */
function flowOpener(text: string, offset: number): '{' | '[' | undefined {
  const open: Array<'{' | '['> = [];
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    const before = i === 0 ? '\n' : (text[i - 1] ?? '');
    if ((c === '"' || c === "'") && /[\s:,[{]/.test(before)) {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= offset) break;
      i = close;
    } else if (c === '#' && /\s/.test(before)) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if ((c === '{' || c === '[') && /[\s:,[{-]/.test(before)) open.push(c);
    else if ((c === '}' || c === ']') && open.length > 0) open.pop();
  }
  return open.at(-1);
}

/**
 * A comma left out between two entries of a `{ … }` map or `[ … ]` list: `{ reward: c-1 weight: 60 }` on one
 * line, or a line of one written over several that does not end in one. The yaml library says "block collections
 * are not allowed within flow collections" or "implicit keys need to be on a single line", and blamed the
 * indentation.
 */
function missingFlowComma(source: string, col: number, next: string, opener: '{' | '['): string | undefined {
  const what = opener === '{' ? 'the entries of a { … } map' : 'the items of a [ … ] list';
  const value = source.slice(col - 1);
  const inline = /^(.*?\S)\s+([A-Za-z_][\w-]*):\s/.exec(value);
  if (inline && !/[,{[]/.test(inline[1] ?? '')) {
    return `missing "," before "${inline[2]}": ${what} are separated by commas, so write ${inline[1]}, ${inline[2]}: …`;
  }
  const nextKey = /^\s*([A-Za-z_][\w-]*):\s/.exec(next)?.[1];
  if (nextKey !== undefined && !value.endsWith(',')) {
    return `missing "," at the end of this line, before "${nextKey}" on the next: ${what} are separated by commas`;
  }
  return undefined;
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
