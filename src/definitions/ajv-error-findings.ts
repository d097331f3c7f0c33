import type { ErrorObject } from 'ajv';
import { flowYaml } from './append-testers';
import { conditionShapeFindings } from './condition-shape-findings';
import { describeValue } from './describe-value';
import { closest, didYouMean } from './did-you-mean';
import { DocPath, Finding, formatPath } from './finding';
import { impossibleDateTime } from '../shared/impossible-date-time';
import { Path, pointerToPath, valueAt } from './json-pointer';
import { minorDigits, notMoney } from '../shared/currency';
import { yamlScalar } from './append-testers';
import { activeRestriction, allowedProperties, homesOf, JsonSchema, schemaAtPath } from './schema-navigation';

/**
 * `amount: { min: 3.5 }` is an amount in major units (yuan): money is counted in minor units (fen), so say
 * what to write, in the campaign's currency when it has one (JPY has no minor unit: nothing to multiply).
 */
function majorUnitsHint(value: unknown, document: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return '';
  const currency = (document as { budget?: { currency?: unknown } } | null)?.budget?.currency;
  const digits = typeof currency === 'string' ? minorDigits(currency) : null;
  if (digits === null || digits === 0) return '';
  const minor = Math.round(value * 10 ** digits);
  if (Math.abs(minor - value * 10 ** digits) > 1e-6) return '';
  return `; amounts count minor units of ${currency as string} (1 ${currency as string} = ${10 ** digits}): for ${value} ${currency as string} write ${minor}`;
}

/** `weight: 10%` is text: say the number to write, and that a weight is a share, not a percentage. */
function percentHint(data: unknown, path: DocPath): string {
  const percent = typeof data === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(data) : null;
  if (percent === null) return '';
  if (path.at(-1) === 'weight')
    return `; write ${percent[1]}: weights are shares of the segment's total, not percentages (weights 1 and 3 give 25% and 75%)`;
  return `; write ${percent[1]}, without "%"`;
}

/** The YAML text of a non-finite number at a path (`1e400` and `.inf` both load as Infinity), if known. */
export type NonFiniteSource = (path: DocPath) => string | undefined;

/** Validates a whole document against the same schema again (the one compiled validator), for hints. */
export type Revalidate = (data: unknown) => readonly ErrorObject[];

/**
 * `channels: app` where a list is wanted: when the document with the value wrapped in a list (`[app]`) has no
 * error left at or under that path, the single item is valid and the fix is the list form.
 */
function listFormHint(e: ErrorObject, path: Path, data: unknown, revalidate?: Revalidate): string {
  const scalar = typeof e.data === 'string' || typeof e.data === 'number' || typeof e.data === 'boolean';
  if (!scalar || revalidate === undefined || !String(e.params['type']).split(',').includes('array'))
    return '';
  if (path.length === 0) return '';
  const wrapped = replaceAt(data, path, [e.data]);
  const under = (p: string) => p === e.instancePath || p.startsWith(`${e.instancePath}/`);
  if (revalidate(wrapped).some((other) => under(other.instancePath))) return '';
  const key = path.at(-1);
  return `; write ${typeof key === 'string' ? `${key}: ` : ''}${flowYaml([e.data])}`;
}

/** A copy of `data` with the value at `path` replaced (only the maps and lists along the path are copied). */
function replaceAt(data: unknown, path: Path, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(data) && typeof head === 'number')
    return data.map((item: unknown, i) => (i === head ? replaceAt(item, rest, value) : item));
  const map = data as Record<string, unknown>;
  return { ...map, [head]: replaceAt(map[head], rest, value) };
}

/**
 * Turns ajv errors into one readable finding per problem, at the node that caused it. Conditional cascades
 * are collapsed: `if` bookkeeping errors are dropped, and a "missing required property" is dropped when an
 * unknown property next to it is its likely typo (or when it comes from a branch of a map that already has
 * unknown properties). A condition's shape is one finding (see condition-shape-findings.ts).
 */
export function findingsFromAjvErrors(
  allErrors: readonly ErrorObject[],
  root: JsonSchema,
  data: unknown,
  sourceOf: NonFiniteSource = () => undefined,
  revalidate?: Revalidate,
): Finding[] {
  const shapes = conditionShapeFindings(allErrors, root, data);
  const errors = shapes.rest;
  const unknownAt = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const list = unknownAt.get(e.instancePath) ?? [];
    list.push(String(e.params['additionalProperty']));
    unknownAt.set(e.instancePath, list);
  }
  // A value of the wrong type fails its other keywords too (e.g. minimum): the type error says it all.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const findings: Finding[] = [...shapes.findings];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) continue;
    if (e.keyword === 'required') {
      const unknown = unknownAt.get(e.instancePath) ?? [];
      const missing = String(e.params['missingProperty']);
      const fromBranch = e.schemaPath.includes('/then/');
      if (
        (fromBranch && unknown.length > 0) ||
        unknown.some((u) => closest(u, [missing]) === missing || u.startsWith(`${missing}:`))
      )
        continue;
    }
    const finding = toFinding(e, root, data, sourceOf, revalidate);
    const key = `${formatPath(finding.path)}\n${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  null: 'null',
};

function isMoney(e: ErrorObject): boolean {
  return /^#\/\$defs\/(money|positiveMoney)\//.test(e.schemaPath);
}

/** The value for a "(got …)" note: a non-finite number as written in the YAML, and said to be one. */
function describeGot(value: unknown, path: Path, sourceOf: NonFiniteSource): string {
  if (typeof value !== 'number' || Number.isFinite(value)) return describeValue(value);
  return `${sourceOf(path) ?? describeValue(value)}, not a finite number`;
}

/**
 * `; write new-user` for an id written `new_user`, `New User` or `newUser`, `; write app` for a channel written
 * `App`, `; write CNY` for a currency written `cny`: the spelling the pattern takes, which the message alone left
 * to the reader. Only for these three, where the spelling is sure: a channel must equal what requests send
 * (`WeChat` is `wechat`, not `we-chat`), a currency must be a real one (`rmb` is not `RMB`, which is refused
 * too), and user ids are case-sensitive, so they get no suggestion.
 */
function spellingHint(e: ErrorObject): string {
  if (typeof e.data !== 'string') return '';
  const text = e.data.trim();
  const pattern = String(e.params['pattern']);
  let fit: string | undefined;
  if (pattern === KEBAB_ID) {
    fit = text
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[\s_.]+/g, '-');
  } else if (pattern === CHANNEL) {
    fit = text.toLowerCase().replace(/[\s_.]+/g, '-');
  } else if (pattern === CURRENCY) {
    const upper = text.toUpperCase();
    fit = minorDigits(upper) !== null && notMoney(upper) === undefined ? upper : undefined;
  }
  return fit !== undefined && fit !== e.data && new RegExp(pattern, 'u').test(fit) ? `; write ${fit}` : '';
}

const KEBAB_ID = '^[a-z0-9]+(-[a-z0-9]+)*$';
const CHANNEL = '^[a-z0-9-]{1,32}$';
const CURRENCY = '^[A-Z]{3}$';

/**
 * ` (it belongs under decision: decision.fallback)`: a key written at another level than its own, which only its
 * allowed neighbours were listed for. Nothing when it has no other place, or its only place is here.
 */
function elsewhere(root: JsonSchema, property: string, path: Path): string {
  const here = path.filter((p) => typeof p === 'string').join('.');
  const homes = homesOf(root, property).filter((home) => home !== here);
  if (homes.length === 0 || homes.length > 2) return '';
  const under = homes.map((home) => (home === '' ? 'the top level' : home)).join(' or ');
  return ` (it belongs under ${under}: ${homes.map((home) => (home === '' ? property : `${home}.${property}`)).join(' or ')})`;
}

function toFinding(
  e: ErrorObject,
  root: JsonSchema,
  data: unknown,
  sourceOf: NonFiniteSource,
  revalidate?: Revalidate,
): Finding {
  const path = pointerToPath(e.instancePath, data);
  const gotValue = describeGot(e.data, path, sourceOf);
  const got = `(got ${gotValue})`;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const at = (message: string, p: Path = path, where: 'key' | 'value' = 'value'): Finding => ({
    path: p,
    message,
    severity: 'error',
    at: where,
  });
  switch (e.keyword) {
    case 'required':
      return at(`missing required property "${String(e.params['missingProperty'])}"`);
    case 'additionalProperties': {
      const property = String(e.params['additionalProperty']);
      const allowed = allowedProperties(schemaAtPath(root, path) ?? {}, e.data);
      // `{ reward:c-1 }`: in a { … } map a key glued to its value reads as one key, "reward:c-1".
      const glued = /^([^:\s]+):(\S.*)$/.exec(property);
      if (glued?.[1] !== undefined && allowed.includes(glued[1])) {
        return at(
          `missing ": " after the key "${glued[1]}": write ${glued[1]}: ${glued[2] ?? ''}`,
          [...path, property],
          'key',
        );
      }
      return at(
        `unknown property "${property}"${didYouMean(property, allowed) || elsewhere(root, property, path)}; allowed: ${allowed.join(', ')}`,
        [...path, property],
        'key',
      );
    }
    case 'false schema': {
      const objectPath = path.slice(0, -1);
      const objectSchema = schemaAtPath(root, objectPath) ?? {};
      const object = valueAt(data, objectPath);
      const { because } = activeRestriction(objectSchema, object);
      const allowed = allowedProperties(objectSchema, object).join(', ');
      return at(
        `property "${String(path.at(-1))}" is not allowed ${because}; allowed: ${allowed}`,
        path,
        'key',
      );
    }
    case 'type': {
      if (isMoney(e))
        return at(`must be an integer number of minor units ${got}${majorUnitsHint(e.data, data)}`);
      const words = String(e.params['type'])
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t);
      // YAML reads `"1"` as text: the likeliest slip when a number is wanted.
      const quoted =
        /integer|number/.test(String(e.params['type'])) &&
        typeof e.data === 'string' &&
        e.data.trim() !== '' &&
        Number.isFinite(Number(e.data));
      // `when: [new-user]`: one value in brackets where a single one is wanted.
      const single =
        String(e.params['type']) === 'string' &&
        Array.isArray(e.data) &&
        e.data.length === 1 &&
        typeof e.data[0] === 'string' &&
        typeof path.at(-1) === 'string';
      const hint = quoted
        ? '; write numbers without quotes'
        : single
          ? `; one value, without brackets: write ${String(path.at(-1))}: ${yamlScalar((e.data as string[])[0])}`
          : percentHint(e.data, path) || listFormHint(e, path, data, revalidate);
      return at(`must be ${words.join(' or ')} ${got}${hint}`);
    }
    case 'enum':
    case 'const': {
      const allowed = (
        e.keyword === 'enum' ? (e.params['allowedValues'] as unknown[]) : [e.params['allowedValue']]
      ).map(String);
      const suggestion = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
      return at(`must be one of: ${allowed.join(', ')} (got ${gotValue}${hint})`);
    }
    case 'pattern': {
      const message = typeof parent['patternErrorMessage'] === 'string' ? parent['patternErrorMessage'] : '';
      return at(`${message || `must match ${String(e.params['pattern'])}`} ${got}${spellingHint(e)}`);
    }
    case 'format': {
      const impossible = typeof e.data === 'string' ? impossibleDateTime(e.data) : undefined;
      if (impossible !== undefined) return at(`is not a real date/time: ${impossible} ${got}`);
      return at(`must be an ISO 8601 date-time with an offset, e.g. 2026-11-11T00:00:00+08:00 ${got}`);
    }
    case 'minimum':
      return at(`must be at least ${String(e.params['limit'])} ${got}`);
    case 'exclusiveMinimum':
      return at(`must be greater than ${String(e.params['limit'])} ${got}`);
    case 'maximum':
      return at(`must be at most ${String(e.params['limit'])} ${got}`);
    case 'minLength':
      return at(
        e.params['limit'] === 1 ? 'must not be empty' : `must be at least ${e.params['limit']} characters`,
      );
    case 'maxLength':
      return at(
        `must be at most ${String(e.params['limit'])} characters (got ${String((e.data as string).length)})`,
      );
    case 'minItems':
      return at(
        e.params['limit'] === 1
          ? 'must list at least one item'
          : `must list at least ${e.params['limit']} items`,
      );
    case 'minProperties': {
      const options = Object.keys((parent['properties'] as object | undefined) ?? {});
      return at(`must set at least one of: ${options.join(', ')}`);
    }
    case 'uniqueItems': {
      const [i, j] = [Number(e.params['i']), Number(e.params['j'])];
      const [first, later] = i < j ? [i, j] : [j, i];
      const item = describeValue((e.data as unknown[])[later]);
      return at(`duplicate item ${item} (already at index ${first})`, [...path, later]);
    }
    default:
      return at(e.message ?? `fails ${e.keyword}`);
  }
}
