/**
 * `explain`'s hint for a condition that is false only because of a value's type: a profile's `"5"` (text, as a
 * JSON profile or a profile service may send it) against a rule on the number 5, or the reverse. The operators
 * are type-strict (operators.ts), so such a condition is false with nothing else to say why.
 */
import { describeValue } from '../definitions/describe-value';
import type { ConditionResult } from './compiled-campaign';
import { evaluateOperator } from './operators';

/** The number a text holds (`"5"`, `" 5 "`), or undefined for text that is not a plain number. */
export function numberIn(text: string): number | undefined {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** Undefined unless the false condition would be true with the fact value in the other type. */
export function typeSlipHint(condition: ConditionResult): string | undefined {
  const { factValue, operator, result } = condition;
  if (result) return undefined;
  // A fact comparison (`value: { fact, path }`) carries what it resolved to.
  const value = Object.hasOwn(condition, 'resolvedValue') ? condition.resolvedValue : condition.value;
  if (typeof factValue === 'string') {
    const n = numberIn(factValue);
    if (n === undefined || !evaluateOperator(operator, n, value)) return undefined;
    return `${describeValue(factValue)} is text, not a number: as the number ${n} this condition would be true (send numbers unquoted)`;
  }
  if (typeof factValue === 'number' && Number.isFinite(factValue)) {
    const text = String(factValue);
    if (!evaluateOperator(operator, text, value)) return undefined;
    return `${factValue} is a number, not text: as the text ${describeValue(text)} this condition would be true (the rule compares text)`;
  }
  return undefined;
}
