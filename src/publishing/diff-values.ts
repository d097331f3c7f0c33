/**
 * A readable, path-level diff of two JSON values (pure), for `pocket diff`:
 * `rewards[1].stock: 10000 → 8000`. Arrays of objects that carry a unique key (`id`, `userId`, `reward`)
 * are matched by that key, so removing or reordering an element does not show every later element as
 * changed; a reorder is reported once for the array. Other arrays of scalars are compared whole.
 */
import { formatPath, type DocPath } from '../definitions/finding';

export interface ValueChange {
  kind: 'changed' | 'added' | 'removed' | 'reordered';
  path: string;
  from?: unknown;
  to?: unknown;
}

const ARRAY_KEYS = ['id', 'userId', 'reward'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** The key field shared (unique, string) by every element of both arrays, if any. */
function keyField(a: readonly Json[], b: readonly Json[]): string | null {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isObject)) return null;
  for (const field of ARRAY_KEYS) {
    const unique = (list: readonly Json[]): boolean => {
      const keys = list.map((e) => (e as Record<string, Json>)[field]);
      return keys.every((k) => typeof k === 'string') && new Set(keys).size === keys.length;
    };
    if (unique(a) && unique(b)) return field;
  }
  return null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffKeyed(before: Json[], after: Json[], field: string, path: DocPath, out: ValueChange[]): void {
  const keyOf = (e: Json): string => String((e as Record<string, Json>)[field]);
  const beforeByKey = new Map(before.map((e, i) => [keyOf(e), { e, i }]));
  const afterKeys = new Set(after.map(keyOf));
  before.forEach((e, i) => {
    if (!afterKeys.has(keyOf(e))) out.push({ kind: 'removed', path: formatPath([...path, i]), from: e });
  });
  after.forEach((e, i) => {
    const old = beforeByKey.get(keyOf(e));
    if (old) walk(old.e, e, [...path, i], out);
    else out.push({ kind: 'added', path: formatPath([...path, i]), to: e });
  });
  const commonBefore = before.map(keyOf).filter((k) => afterKeys.has(k));
  const commonAfter = after.map(keyOf).filter((k) => beforeByKey.has(k));
  if (!same(commonBefore, commonAfter)) {
    out.push({ kind: 'reordered', path: formatPath(path), from: commonBefore, to: commonAfter });
  }
}

function walk(before: Json, after: Json, path: DocPath, out: ValueChange[]): void {
  if (same(before, after)) return;
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (!(key in after)) out.push({ kind: 'removed', path: formatPath([...path, key]), from: before[key] });
    }
    for (const key of Object.keys(after)) {
      const next = after[key] as Json;
      if (key in before) walk(before[key] as Json, next, [...path, key], out);
      else out.push({ kind: 'added', path: formatPath([...path, key]), to: next });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && !(before.every(isScalar) && after.every(isScalar))) {
    const field = keyField(before, after);
    if (field) {
      diffKeyed(before, after, field, path, out);
      return;
    }
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) walk(before[i] as Json, after[i] as Json, [...path, i], out);
    for (let i = common; i < before.length; i++)
      out.push({ kind: 'removed', path: formatPath([...path, i]), from: before[i] });
    for (let i = common; i < after.length; i++)
      out.push({ kind: 'added', path: formatPath([...path, i]), to: after[i] });
    return;
  }
  out.push({ kind: 'changed', path: formatPath(path), from: before, to: after });
}

/** Every difference from `before` to `after` (JSON data), in document order. */
export function diffValues(before: unknown, after: unknown, path: DocPath = []): ValueChange[] {
  const out: ValueChange[] = [];
  walk(before as Json, after as Json, path, out);
  return out;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** `~ rewards[1].stock: 10000 → 8000`, `+ rewards[3]: {…}`, `- testers[0]: {…}`. */
export function formatChange(change: ValueChange): string {
  switch (change.kind) {
    case 'changed':
      return `~ ${change.path}: ${show(change.from)} → ${show(change.to)}`;
    case 'added':
      return `+ ${change.path}: ${show(change.to)}`;
    case 'removed':
      return `- ${change.path}: ${show(change.from)}`;
    case 'reordered':
      return `~ ${change.path} order: ${(change.from as string[]).join(', ')} → ${(change.to as string[]).join(', ')}`;
  }
}
