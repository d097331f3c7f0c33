import { isScalar, Node } from 'yaml';
import { describeValue } from './describe-value';
import type { Finding } from './finding';
import { locateNode } from './node-position';
import type { ParsedYaml } from './parse-yaml';
import { describeCharacter, escapeInvisible, suspiciousCharacters } from './suspicious-characters';

/** At most this many suspicious characters are named in one message. */
const MAX_NAMED = 3;

/**
 * A finding's message as reported, with what the data alone cannot tell: a number echoed as written in the
 * YAML when the parsed value differs (`9007199254740993`, not `9007199254740992`), the invisible and
 * look-alike characters in the key or value it is about (`; it holds U+200B ZERO WIDTH SPACE at column 15`),
 * and no invisible character left raw.
 */
export function findingMessage(parsed: ParsedYaml, finding: Finding): string {
  const { node, key } = locateNode(parsed.document, finding.path);
  const target = finding.at === 'key' && key ? key : node;
  const message = escapeInvisible(numberAsWritten(target, finding.message));
  return message + suspiciousNote(parsed, target) + commentNote(parsed, finding.message, node, key);
}

/**
 * `name: #1 coupon pack` reads as `name:` with a comment: a value got null where the line shows one after a `#`.
 * The message said "must be a string (got null)", and the reader saw a value there.
 */
function commentNote(parsed: ParsedYaml, message: string, node: Node | null, key: Node | null): string {
  if (!message.includes('(got null)') || (isScalar(node) && node.value !== null) || !key?.range) return '';
  const name = isScalar(key) ? String(key.value) : undefined;
  const end = parsed.text.indexOf('\n', key.range[1]);
  const rest = parsed.text.slice(key.range[1], end < 0 ? undefined : end).replace(/\r$/, '');
  const written = /^:[ \t]+(#.*\S)\s*$/.exec(rest)?.[1];
  if (name === undefined || written === undefined) return '';
  return `; "#" starts a comment in YAML, so the value is empty: quote it, ${name}: ${JSON.stringify(written)}`;
}

/** `got 1e+23` → `got 99999999999999999999999`: the number the author wrote, not the float it became. */
function numberAsWritten(node: Node | null, message: string): string {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) return message;
  const written = node.source;
  const shown = describeValue(node.value);
  if (typeof written !== 'string' || written === '' || written === shown) return message;
  const echo = new RegExp(`\\bgot ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.+-])`);
  return message.replace(echo, () => `got ${written}`);
}

function suspiciousNote(parsed: ParsedYaml, node: Node | null): string {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return '';
  const found = suspiciousCharacters(node.value);
  if (found.length === 0) return '';
  const [start, end] = node.range;
  const raw = parsed.text.slice(start, end);
  const { line } = parsed.lineCounter.linePos(start);
  const named = found.slice(0, MAX_NAMED).map(({ char }, i) => {
    // Found in the source unless it was written as an escape ("\u200b"), which the reader can already see.
    const at = indexOfNth(raw, char, found.slice(0, i).filter((f) => f.char === char).length);
    if (at < 0) return describeCharacter(char);
    const pos = parsed.lineCounter.linePos(start + at);
    return `${describeCharacter(char)} at ${pos.line === line ? `column ${pos.col}` : `${pos.line}:${pos.col}`}`;
  });
  const more = found.length > MAX_NAMED ? `, and ${found.length - MAX_NAMED} more` : '';
  return `; it holds ${named.join(', ')}${more}`;
}

function indexOfNth(text: string, char: string, n: number): number {
  let at = text.indexOf(char);
  for (let i = 0; i < n && at >= 0; i++) at = text.indexOf(char, at + char.length);
  return at;
}
