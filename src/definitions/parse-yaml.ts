import {
  Alias,
  Document,
  isAlias,
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  Scalar,
  visit,
  YAMLError,
} from 'yaml';
import type { Diagnostic } from './diagnostic';
import { formatPath } from './finding';
import {
  indentationErrorOffset,
  indentationHint,
  isIndentationError,
  misreadKey,
  strayIndentation,
} from './indentation-hint';
import { lineMistake } from './line-mistake';
import { pathAtOffset } from './node-position';
import { unclosedOpening } from './unclosed-opening';

/** Aliases may be expanded at most this many times (weighted by nesting): alias bombs are refused. */
export const MAX_ALIAS_COUNT = 50;

/** A YAML file parsed with positions kept, so any document path can be mapped back to `line:col`. */
export interface ParsedYaml {
  /** Path relative to the current working directory, as reported. */
  file: string;
  /** The text that was parsed, for pointing at characters inside a node. */
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data; `undefined` when the file could not be parsed (see `diagnostics`). */
  data: unknown;
  /** YAML syntax errors, duplicate keys, unresolved tags, undefined aliases and refused aliases. */
  diagnostics: Diagnostic[];
}

/**
 * Parses one YAML document safely: the core schema only (no custom or YAML 1.1 tags, no timestamps), duplicate
 * keys are errors, keys must be strings, and alias expansion is limited to MAX_ALIAS_COUNT.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    schema: 'core',
    version: '1.2',
    uniqueKeys: true,
    stringKeys: true,
    strict: true,
    // YAML 1.1 tags (!!timestamp, !!binary, !!set, !!omap, !!pairs) are not core: refused like any custom tag.
    resolveKnownTags: false,
    prettyErrors: false,
    lineCounter,
  });
  const diagnostics = reportedErrors([...document.errors, ...document.warnings], lineCounter).map((e) =>
    yamlErrorDiagnostic(e, file, document, lineCounter, text),
  );
  const parsed: ParsedYaml = { file, text, document, lineCounter, data: undefined, diagnostics };
  if (diagnostics.length > 0) return parsed;
  diagnostics.push(...undefinedAliases(document).map((alias) => undefinedAliasDiagnostic(parsed, alias)));
  diagnostics.push(...mergeKeys(document).map((key) => mergeKeyDiagnostic(parsed, key)));
  if (diagnostics.length > 0) return parsed;
  try {
    parsed.data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml library's only signal for exceeding maxAliasCount (undefined aliases are found above).
    if (!(e instanceof ReferenceError && /excessive alias count/i.test(e.message))) throw e;
    diagnostics.push(aliasBombDiagnostic(parsed));
  }
  return parsed;
}

/**
 * Aliases with no anchor of their name before them, which the yaml library would only reject while building
 * the data (as a bare ReferenceError). Like `Alias.resolve`, an anchor counts from its node on, in document
 * order; a later anchor of the same name redefines it.
 */
function undefinedAliases(document: Document.Parsed): Alias[] {
  const anchors = new Set<string>();
  const undefinedOnes: Alias[] = [];
  visit(document, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) undefinedOnes.push(node);
      } else if (node.anchor) {
        anchors.add(node.anchor);
      }
    },
  });
  return undefinedOnes;
}

/**
 * Plain `<<` keys: YAML 1.1 merge keys, which the core schema reads as an ordinary key named "<<" (then an
 * unknown property, or, in an open map such as a profile, a silently wrong one). A quoted "<<" is a real key.
 */
function mergeKeys(document: Document.Parsed): Scalar[] {
  const keys: Scalar[] = [];
  visit(document, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<') keys.push(pair.key);
    },
  });
  return keys;
}

function mergeKeyDiagnostic(parsed: ParsedYaml, key: Scalar): Diagnostic {
  const message = 'YAML merge keys ("<<") are not supported: write the keys out in this map';
  return diagnosticAt(parsed, key.range?.[0] ?? 0, message);
}

/** Problems that are never echoes of an earlier one: each is reported. */
const INDEPENDENT: ReadonlySet<string> = new Set(['DUPLICATE_KEY', 'TAG_RESOLVE_FAILED']);

/**
 * Syntax errors after the first are mostly its echoes: keep the first one, every duplicate key and tag. A
 * duplicate key on the line of a kept indentation error is its echo too: a key moved to another level (`rewards:`
 * at the column of its list's `-`) lands in a map that already has one, and the indentation error says why.
 */
function reportedErrors(errors: YAMLError[], lineCounter: LineCounter): YAMLError[] {
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const kept = sorted.filter((e, i) => i === 0 || INDEPENDENT.has(e.code));
  const lineOf = (e: YAMLError) => lineCounter.linePos(e.pos[0]).line;
  const misindented = new Set(kept.filter(isIndentationError).map(lineOf));
  return kept.filter((e) => e.code !== 'DUPLICATE_KEY' || !misindented.has(lineOf(e)));
}

function yamlErrorDiagnostic(
  e: YAMLError,
  file: string,
  document: Document.Parsed,
  lineCounter: LineCounter,
  text: string,
): Diagnostic {
  const tooDeep = /call stack/i.test(e.message);
  const start = tooDeep ? 0 : e.pos[0];
  const { line, col } = lineCounter.linePos(tooDeep ? 0 : indentationErrorOffset(e, text));
  const found = tooDeep ? [] : pathAtOffset(document, start);
  // The first that applies: an unclosed quote or bracket, a tab or odd space in the indentation, a line that
  // is not `key: value` as written, else the lines whose indentation to check.
  const hint = unclosedHint(e, document, lineCounter) || strayIndentation(e, text, lineCounter);
  const mistake = hint ? undefined : lineMistake(e, text, lineCounter);
  // A misread key (`owner growth-team` read as one key) is no place to point at: its map is.
  const path =
    misreadKey(e) || (mistake !== undefined && (e.code === 'MISSING_CHAR' || e.code === 'BLOCK_IN_FLOW'))
      ? found.slice(0, -1)
      : found;
  const message =
    mistake !== undefined
      ? `invalid YAML: ${mistake}`
      : yamlMessage(e, path.at(-1)) +
        (hint || indentationHint(e, text, lineCounter) || firstKeyHint(e, document, lineCounter, path));
  return { file, line, col, path: formatPath(path), message, severity: 'error' };
}

/** Where a duplicate key was first written (`; the first is at 6:1`), as duplicate segment and rule ids say. */
function firstKeyHint(
  e: YAMLError,
  document: Document.Parsed,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
): string {
  const key = path.at(-1);
  if (e.code !== 'DUPLICATE_KEY' || typeof key !== 'string') return '';
  const map = path.length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents;
  if (!isMap(map)) return '';
  const first = map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
  const at = isScalar(first?.key) ? first.key.range?.[0] : undefined;
  if (at === undefined || at >= e.pos[0]) return '';
  const { line, col } = lineCounter.linePos(at);
  return `; the first is at ${line}:${col}`;
}

/** Where an unclosed quote or flow collection was opened, which the yaml library does not say. */
function unclosedHint(e: YAMLError, document: Document.Parsed, lineCounter: LineCounter): string {
  const opening = unclosedOpening(document, e);
  if (!opening) return '';
  const { line, col } = lineCounter.linePos(opening.offset);
  const what = opening.opener === '"' || opening.opener === "'" ? 'quote' : opening.opener;
  return `; the ${what} opened at ${line}:${col} is never closed`;
}

function yamlMessage(e: YAMLError, key: string | number | undefined): string {
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return `duplicate key${typeof key === 'string' ? ` "${key}"` : ''}; a key may appear only once in a map`;
    case 'MULTIPLE_DOCS':
      return 'a file must hold a single YAML document (found a second one after "---")';
    case 'TAG_RESOLVE_FAILED':
      return 'unsupported tag: only plain YAML (core schema) is accepted';
    default:
      if (/call stack/i.test(e.message)) return 'the document is nested too deeply';
      return `invalid YAML: ${e.message.replace(/\.$/, '')}`;
  }
}

function diagnosticAt(parsed: ParsedYaml, offset: number, message: string): Diagnostic {
  const { line, col } = parsed.lineCounter.linePos(offset);
  const path = formatPath(pathAtOffset(parsed.document, offset));
  return { file: parsed.file, line, col, path, message, severity: 'error' };
}

function undefinedAliasDiagnostic(parsed: ParsedYaml, alias: Alias): Diagnostic {
  const name = alias.source;
  const message = `unknown alias "*${name}": no anchor &${name} is defined before it`;
  return diagnosticAt(parsed, alias.range?.[0] ?? 0, message);
}

/** The yaml library does not say which alias went over the limit: point at the first alias. */
function aliasBombDiagnostic(parsed: ParsedYaml): Diagnostic {
  let offset = 0;
  visit(parsed.document, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return diagnosticAt(
    parsed,
    offset,
    `aliases expand too much (limit ${MAX_ALIAS_COUNT}): refusing what looks like an alias bomb`,
  );
}
