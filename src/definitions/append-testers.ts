/**
 * Pure: adds tester entries to a campaign YAML text without touching anything else. The document is parsed
 * (yaml's Document API, positions kept) only to find where the `testers` sequence ends; the new entries are
 * spliced in as text, so every other byte — comments, blank lines, key order, flow or block style — stays as
 * written. Entries are written the way prettier formats this repository's YAML (flow maps padded, flow
 * sequences not, single quotes where quoting is needed, at most 110 columns), falling back to block style
 * when a flow entry would be too long.
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';

export interface TesterEntry {
  userId: string;
  profile: Record<string, unknown>;
  /** Written as a comment above the entry (e.g. the request context the tester must send). */
  note?: string;
}

const PRINT_WIDTH = 110;
const FLOW_SPECIAL = /[,[\]{}#&*!|>'"%@`:]|^[-?]|^\s|\s$/;

/** A YAML scalar that reads back as exactly `value` (core schema), quoted only when it has to be. */
export function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  if (text !== '' && !FLOW_SPECIAL.test(text) && !/[\n\t]/.test(text) && parse(text) === text) return text;
  if (/[\n\t\\]/.test(text)) return JSON.stringify(text);
  return `'${text.replace(/'/g, "''")}'`;
}

/** One value in flow style: `{ a: 1, b: [x, y] }`. */
export function flowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${yamlScalar(k)}: ${flowYaml(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return yamlScalar(value);
}

/** Block lines for a mapping at `indent`, flow for values that fit. */
function blockLines(value: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const head = `${indent}${yamlScalar(key)}:`;
    const flow = `${head} ${flowYaml(item)}`;
    if (flow.length <= PRINT_WIDTH || typeof item !== 'object' || item === null || Array.isArray(item)) {
      lines.push(flow);
    } else {
      lines.push(head, ...blockLines(item as Record<string, unknown>, `${indent}  `));
    }
  }
  return lines;
}

/** The lines of one sequence item `- …` at `indent`. */
export function testerItemLines(entry: TesterEntry, indent: string): string[] {
  const comment = entry.note === undefined ? [] : [`${indent}# ${entry.note.replace(/\n/g, ' ')}`];
  const body = { userId: entry.userId, profile: entry.profile };
  const flow = `${indent}- ${flowYaml(body)}`;
  if (flow.length <= PRINT_WIDTH) return [...comment, flow];
  const [first, ...rest] = blockLines(body, `${indent}  `);
  return [...comment, `${indent}- ${(first ?? '').trimStart()}`, ...rest];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function afterLine(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end + 1;
}

function withNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/** Where a new top-level `testers:` goes: before observability/notify when present, else at the end. */
function topLevelInsertAt(text: string, root: Node): number {
  if (!isMap(root)) return text.length;
  for (const key of ['observability', 'notify']) {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
    const start = (pair?.key as Node | undefined)?.range?.[0];
    if (start !== undefined) return lineStart(text, start);
  }
  return text.length;
}

/**
 * Returns `text` with `entries` appended to its `testers` sequence (created when absent). A file whose lines all
 * end in CRLF gets CRLF on the lines added too: they ended in a bare LF, and the file had mixed line endings.
 */
export function appendTesters(text: string, entries: readonly TesterEntry[]): string {
  const newlines = text.split('\n').length - 1;
  const crlf = newlines > 0 && text.split('\r\n').length - 1 === newlines;
  if (!crlf) return appendToLf(text, entries);
  return appendToLf(text.replace(/\r\n/g, '\n'), entries).replace(/\n/g, '\r\n');
}

function appendToLf(text: string, entries: readonly TesterEntry[]): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) throw new Error(`cannot edit invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('a campaign file must be a mapping');
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === 'testers');
  // `testers:` with nothing after it holds a null scalar node, not JS null: it was refused as "not a sequence".
  const seq = isScalar(pair?.value) && pair.value.value === null ? null : pair?.value;
  if (pair === undefined || seq === null || seq === undefined) {
    const at = topLevelInsertAt(text, root);
    const lines = ['testers:', ...entries.flatMap((e) => testerItemLines(e, '  '))];
    if (pair !== undefined) {
      // `testers:` with nothing after it: replace that line.
      const keyStart = (pair.key as Node).range?.[0] ?? 0;
      const end = afterLine(text, keyStart);
      return `${text.slice(0, lineStart(text, keyStart))}${lines.join('\n')}\n${text.slice(end)}`;
    }
    const head = withNewline(text.slice(0, at));
    return `${head}${lines.join('\n')}\n${text.slice(at)}`;
  }
  if (!isSeq(seq)) throw new Error('`testers` must be a sequence');
  const range = (seq as Node).range ?? [0, 0, 0];
  if (seq.flow || seq.items.length === 0) {
    // `testers: []` or a flow sequence: rewrite just that value as a block sequence of the same entries.
    const keyStart = (pair.key as Node).range?.[0] ?? 0;
    const indent = ' '.repeat(keyStart - lineStart(text, keyStart) + 2);
    const existing = seq.items.map((item) =>
      text.slice((item as Node).range?.[0], (item as Node).range?.[1]),
    );
    const lines = [
      ...existing.map((s) => `${indent}- ${s}`),
      ...entries.flatMap((e) => testerItemLines(e, indent)),
    ];
    // A comment after the value (`testers: []  # none yet`) stays on the `testers:` line.
    const rest = text.slice(range[1], afterLine(text, range[1])).trim();
    const comment = rest.startsWith('#') ? `  ${rest}` : '';
    return `${text.slice(0, range[0]).trimEnd()}${comment}\n${lines.join('\n')}\n${text.slice(afterLine(text, range[1]))}`;
  }
  const first = seq.items[0] as Node;
  const last = seq.items[seq.items.length - 1] as Node;
  const dash = text.lastIndexOf('-', first.range?.[0] ?? 0);
  const indent = ' '.repeat(dash - lineStart(text, dash));
  const at = afterLine(text, (last.range?.[1] ?? text.length) - 1);
  const added = entries.flatMap((e) => testerItemLines(e, indent));
  return `${withNewline(text.slice(0, at))}${added.join('\n')}\n${text.slice(at)}`;
}
