/**
 * Times given by people (CLI options, report queries): an RFC 3339 date-time with its offset, as the OpenAPI
 * `format: date-time` and the YAML schemas say. A date alone or a time without an offset would be read in the
 * server's own time zone, which is rarely the campaign's: it is refused rather than guessed.
 */
import formatsPlugin from 'ajv-formats';
import { impossibleDateTime } from './impossible-date-time';

const isRfc3339DateTime = (formatsPlugin.get('date-time') as { validate: (value: string) => boolean })
  .validate;

export const DATE_TIME_HINT =
  'must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00';

/**
 * RFC 3339 with an offset, and an instant JavaScript can name: a leap second (`23:59:60`), which RFC 3339 and
 * ajv-formats allow, is not one. The schemas' `format: date-time` uses this too.
 */
export function isDateTime(value: string): boolean {
  return isRfc3339DateTime(value) && !Number.isNaN(Date.parse(value));
}

/** The instant, or null when the text is not a date-time with an offset. */
export function parseDateTime(value: string): Date | null {
  return isDateTime(value) ? new Date(value) : null;
}

/**
 * What is wrong with a time given by a person: a date that does not exist in the YAML's words (`is not a real
 * date/time: there is no month 13 (months run 01-12)`), else the format hint.
 */
export function dateTimeProblem(value: string): string {
  const impossible = impossibleDateTime(value);
  return impossible === undefined ? DATE_TIME_HINT : `is not a real date/time: ${impossible}`;
}

/** `…T10:00:00 08:00`: an offset whose `+` was sent unencoded, which a query string reads as a space. */
const PLUS_AS_SPACE = /T[0-9:.]+ [0-9]{2}:[0-9]{2}$/;

/**
 * The same for a time read from a query string, where a `+` not written `%2B` arrives as a space: the README's
 * own example pasted into a URL, which the format hint alone would have sent back pasted the same way.
 */
export function queryDateTimeProblem(value: string): string {
  if (PLUS_AS_SPACE.test(value) && isDateTime(value.replace(' ', '+'))) {
    return (
      "has a space where its offset's + should be: a + in a query string reads as a space, send it as %2B " +
      `(${value.replace(' ', '%2B')})`
    );
  }
  return dateTimeProblem(value);
}
