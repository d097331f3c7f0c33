import { impossibleDateTime } from '../../../src/shared/impossible-date-time';
import { dateTimeProblem, DATE_TIME_HINT } from '../../../src/shared/date-time';

describe('impossibleDateTime', () => {
  it.each([
    ['2026-11-31T00:00:00+08:00', 'November has 30 days'],
    ['2026-02-29T00:00:00Z', 'February 2026 has 28 days'],
    ['2100-02-29T00:00:00Z', 'February 2100 has 28 days'],
    ['2026-04-00T00:00:00Z', 'there is no day 00 (days start at 01)'],
    ['2026-00-10T00:00:00Z', 'there is no month 00 (months run 01-12)'],
    ['2026-13-10T00:00:00Z', 'there is no month 13 (months run 01-12)'],
    ['2026-11-11T24:00:00+08:00', 'there is no hour 24 (hours run 00-23)'],
    ['2026-11-11T10:60:00+08:00', 'there is no minute 60 (minutes run 00-59)'],
    ['2026-11-11T10:00:61.5+08:00', 'there is no second 61 (seconds run 00-59)'],
    ['2026-11-11T10:00:00+24:00', 'the offset must be between -23:59 and +23:59'],
    ['2026-11-11T10:00:00-0860', 'the offset must be between -23:59 and +23:59'],
  ])('%s: %s', (text, reason) => {
    expect(impossibleDateTime(text)).toBe(reason);
  });

  it('says nothing about real instants, leap days, or texts of another shape (no offset, a date alone)', () => {
    for (const text of [
      '2028-02-29T00:00:00+08:00',
      '2000-02-29t23:59:59.999z',
      '2026-12-31 23:59:59-05:00',
      '2026-11-31T00:00:00',
      '2026-11-31',
      'soon',
    ]) {
      expect(impossibleDateTime(text)).toBeUndefined();
    }
  });
});

describe('dateTimeProblem', () => {
  // --at, --from and --to with a date that does not exist got the format hint, as if the offset were missing.
  it('says a date that does not exist in the YAML words, else gives the format hint', () => {
    expect(dateTimeProblem('2026-02-30T00:00:00+08:00')).toBe(
      'is not a real date/time: February 2026 has 28 days',
    );
    expect(dateTimeProblem('2026-11-21')).toBe(DATE_TIME_HINT);
    expect(dateTimeProblem('yesterday')).toBe(DATE_TIME_HINT);
  });
});
