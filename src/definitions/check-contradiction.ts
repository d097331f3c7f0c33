/**
 * A top-level `all` whose numeric conditions on one fact path cannot hold together: `age lessThan 10` with
 * `age between [18, 25]` matches no user, and only dry-run's "unreached segments" said so. Only plain (undecorated)
 * comparisons with number values are read, each narrowing the path's interval; a path whose interval becomes
 * empty is reported once, at the condition that emptied it. A warning: the rule is valid, only useless.
 */
import { isRecord } from '../shared/is-record';
import type { DocPath } from './finding';
import { Finding, warning } from './finding';

interface Bound {
  value: number;
  inclusive: boolean;
}

interface Interval {
  low?: Bound | undefined;
  high?: Bound | undefined;
  /** The conditions read so far, as written, for the message. */
  seen: string[];
}

/** The bounds one comparison sets, or undefined when it is not a plain numeric comparison. */
function boundsOf(operator: unknown, value: unknown): Pick<Interval, 'low' | 'high'> | undefined {
  const number = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  // A between whose low is above its high is an error of its own (check-operator.ts).
  if (
    operator === 'between' &&
    Array.isArray(value) &&
    number(value[0]) &&
    number(value[1]) &&
    value[0] <= value[1]
  )
    return { low: { value: value[0], inclusive: true }, high: { value: value[1], inclusive: true } };
  if (!number(value)) return undefined;
  switch (operator) {
    case 'equal':
      return { low: { value, inclusive: true }, high: { value, inclusive: true } };
    case 'lessThan':
      return { high: { value, inclusive: false } };
    case 'lessThanInclusive':
      return { high: { value, inclusive: true } };
    case 'greaterThan':
      return { low: { value, inclusive: false } };
    case 'greaterThanInclusive':
      return { low: { value, inclusive: true } };
    default:
      return undefined;
  }
}

function tighterLow(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  if (a.value !== b.value) return a.value > b.value ? a : b;
  return a.inclusive ? b : a;
}

function tighterHigh(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (!a || !b) return a ?? b;
  if (a.value !== b.value) return a.value < b.value ? a : b;
  return a.inclusive ? b : a;
}

function empty({ low, high }: Interval): boolean {
  if (!low || !high) return false;
  return low.value > high.value || (low.value === high.value && !(low.inclusive && high.inclusive));
}

export function checkContradiction(conditions: unknown, at: DocPath): Finding[] {
  const members = isRecord(conditions) && Array.isArray(conditions['all']) ? conditions['all'] : [];
  const intervals = new Map<string, Interval>();
  const findings: Finding[] = [];
  members.forEach((member: unknown, i) => {
    if (!isRecord(member) || typeof member['fact'] !== 'string' || typeof member['path'] !== 'string') return;
    const bounds = boundsOf(member['operator'], member['value']);
    if (!bounds) return;
    const key = `${member['fact']}.${member['path'].replace(/^\$\./, '')}`;
    const interval = intervals.get(key) ?? { seen: [] };
    if (empty(interval)) return;
    interval.seen.push(`${String(member['operator'])} ${JSON.stringify(member['value'])}`);
    interval.low = tighterLow(interval.low, bounds.low);
    interval.high = tighterHigh(interval.high, bounds.high);
    intervals.set(key, interval);
    if (empty(interval)) {
      findings.push(
        warning(
          [...at, 'all', i],
          `the conditions on ${key} cannot all hold (${interval.seen.join(' and ')}): no user matches this rule`,
        ),
      );
    }
  });
  return findings;
}
