import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node } from 'yaml';
import type { DocPath } from './finding';

export interface Position {
  line: number;
  col: number;
}

type Located = { node: Node | null; key: Node | null };

function resolveAlias(node: unknown, document: Document): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function keyOf(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/**
 * The deepest node along `path`: the node itself when it exists, otherwise the closest existing parent
 * (so a missing property points at the map that should hold it). `key` is the key node of the last
 * property that was found, when the path ends at a map entry.
 */
export function locateNode(document: Document, path: DocPath): Located {
  let current = resolveAlias(document.contents, document);
  let located: Located = { node: (current as Node | null) ?? null, key: null };
  for (const part of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => String(keyOf(p.key)) === String(part));
      if (!pair) return located;
      const key = pair.key as Node | null;
      const value = resolveAlias(pair.value, document) as Node | null;
      // A key without a value (`weight:`) has no value node: point at the key.
      located = { node: value ?? key, key };
      current = value;
    } else if (isSeq(current) && typeof part === 'number') {
      const item = resolveAlias(current.items[part], document) as Node | undefined;
      if (!item) return located;
      located = { node: item, key: null };
      current = item;
    } else {
      return located;
    }
  }
  return located;
}

/** `line:col` (1-based) of the node at `path`, or of its key with `at: 'key'`; 1:1 for an empty document. */
export function positionOf(
  document: Document,
  lineCounter: LineCounter,
  path: DocPath,
  at: 'key' | 'value' = 'value',
): Position {
  const { node, key } = locateNode(document, path);
  const target = at === 'key' && key ? key : node;
  const offset = target?.range?.[0] ?? 0;
  return lineCounter.linePos(offset);
}

/**
 * The text written in the YAML for a number that is not finite (`.nan`, `-.inf`, `1e400`), which the data
 * alone cannot tell apart; undefined for anything else.
 */
export function nonFiniteSource(document: Document, path: DocPath): string | undefined {
  const { node } = locateNode(document, path);
  if (!isScalar(node) || typeof node.value !== 'number' || Number.isFinite(node.value)) return undefined;
  return node.source;
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null)?.range;
  return !!range && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}

/** From the start of the key to the end of the value, so tags and anchors before the value count too. */
function pairContains(key: unknown, value: unknown, offset: number): boolean {
  const start = (key as Node | null)?.range?.[0] ?? (value as Node | null)?.range?.[0];
  const end = (value as Node | null)?.range?.[2] ?? (key as Node | null)?.range?.[2];
  return start !== undefined && end !== undefined && start <= offset && offset < Math.max(end, start + 1);
}

/** The document path of the deepest node containing `offset` (used for YAML errors, which only have offsets). */
export function pathAtOffset(document: Document, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let current: unknown = document.contents;
  for (;;) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && pairContains(p.key, p.value, offset));
      if (!pair) return path;
      path.push(String(keyOf(pair.key)));
      if (!contains(pair.value, offset)) return path;
      current = pair.value;
    } else if (isSeq(current)) {
      const index = current.items.findIndex((item) => contains(item, offset));
      if (index < 0) return path;
      path.push(index);
      current = current.items[index];
    } else {
      return path;
    }
  }
}
