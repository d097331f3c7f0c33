import { businessDate, businessDayBounds, utcOffsetSeconds } from '../../../src/decision/business-date';
import { seededRandom } from '../../../src/decision/random';

const iso = (d: Date): string => d.toISOString();
const hours = (b: { start: Date; end: Date }): number => (b.end.getTime() - b.start.getTime()) / 3_600_000;

describe('businessDate (DESIGN.md: the business date is computed in the campaign timezone)', () => {
  it('turns over at midnight Asia/Shanghai, 16:00 UTC the day before', () => {
    expect(businessDate(new Date('2026-11-10T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-11-10');
    expect(businessDate(new Date('2026-11-10T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-11-11');
    expect(businessDate(new Date('2026-11-10T16:00:00.000Z'), 'UTC')).toBe('2026-11-10');
    expect(businessDate(new Date('2026-11-11T00:00:00.000Z'), 'UTC')).toBe('2026-11-11');
  });

  it('follows DST in America/New_York (UTC-5 in winter, UTC-4 in summer)', () => {
    expect(businessDate(new Date('2026-01-15T04:59:59.999Z'), 'America/New_York')).toBe('2026-01-14');
    expect(businessDate(new Date('2026-01-15T05:00:00.000Z'), 'America/New_York')).toBe('2026-01-15');
    expect(businessDate(new Date('2026-07-15T03:59:59.999Z'), 'America/New_York')).toBe('2026-07-14');
    expect(businessDate(new Date('2026-07-15T04:00:00.000Z'), 'America/New_York')).toBe('2026-07-15');
  });

  it('answers from the cached current day exactly as the zone database does, across midnights and DST', () => {
    // The current day of each zone is cached; walk instants forwards and backwards over days with DST changes
    // (and a skipped date) and compare each answer with a formatter of its own.
    const zones = [
      'Asia/Shanghai',
      'America/New_York',
      'America/Santiago',
      'Australia/Lord_Howe',
      'Pacific/Apia',
    ];
    const starts = [
      '2026-03-07T00:00:00Z',
      '2026-11-01T00:00:00Z',
      '2011-12-28T00:00:00Z',
      '2026-04-04T00:00:00Z',
    ];
    for (const zone of zones) {
      const f = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      for (const start of starts) {
        const t0 = Date.parse(start);
        const steps = Array.from({ length: 4 * 24 * 4 }, (_, i) => t0 + i * 15 * 60_000 + (i % 7) * 1000);
        for (const ms of [...steps, ...steps.reverse()]) {
          expect(businessDate(new Date(ms), zone)).toBe(f.format(ms));
        }
      }
    }
  });

  it('refuses an invalid Date and an unknown zone', () => {
    expect(() => businessDate(new Date('nope'), 'UTC')).toThrow(RangeError);
    expect(() => businessDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('businessDayBounds (daily budgets and pacing run over the business day)', () => {
  it('covers 16:00 UTC to 16:00 UTC for a Shanghai day', () => {
    const b = businessDayBounds('2026-11-11', 'Asia/Shanghai');
    expect([iso(b.start), iso(b.end)]).toEqual(['2026-11-10T16:00:00.000Z', '2026-11-11T16:00:00.000Z']);
  });

  it('gives a 23-hour day when New York springs forward', () => {
    const b = businessDayBounds('2026-03-08', 'America/New_York');
    expect([iso(b.start), iso(b.end), hours(b)]).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
      23,
    ]);
  });

  it('gives a 25-hour day when New York falls back', () => {
    const b = businessDayBounds('2026-11-01', 'America/New_York');
    expect([iso(b.start), iso(b.end), hours(b)]).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      25,
    ]);
  });

  it('starts at 01:00 local time where DST skips midnight (America/Santiago)', () => {
    const b = businessDayBounds('2026-09-06', 'America/Santiago');
    expect([iso(b.start), iso(b.end), hours(b)]).toEqual([
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:00:00.000Z',
      23,
    ]);
  });

  it('starts at the first of two midnights where DST repeats midnight (America/Havana)', () => {
    const b = businessDayBounds('2026-11-01', 'America/Havana');
    expect([iso(b.start), iso(b.end), hours(b)]).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      25,
    ]);
  });

  it('handles half-hour DST (Australia/Lord_Howe)', () => {
    expect(hours(businessDayBounds('2026-10-04', 'Australia/Lord_Howe'))).toBe(23.5);
  });

  it('gives an empty day for a date the zone skipped (Pacific/Apia, 2011-12-30)', () => {
    const b = businessDayBounds('2011-12-30', 'Pacific/Apia');
    expect(iso(b.start)).toBe('2011-12-30T10:00:00.000Z');
    expect(b.end.getTime()).toBe(b.start.getTime());
  });

  it.each([
    'Asia/Shanghai',
    'UTC',
    'America/New_York',
    'America/Santiago',
    'America/Havana',
    'Pacific/Chatham',
  ])('contains every instant of its day and nothing else, in %s', (zone) => {
    const random = seededRandom(zone);
    const from = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 300; i++) {
      const t = new Date(from + Math.floor(random() * 366 * 86_400_000));
      const date = businessDate(t, zone);
      const b = businessDayBounds(date, zone);
      expect(b.start.getTime()).toBeLessThanOrEqual(t.getTime());
      expect(t.getTime()).toBeLessThan(b.end.getTime());
      expect(businessDate(b.start, zone)).toBe(date);
      expect(businessDate(new Date(b.start.getTime() - 1), zone) < date).toBe(true);
      expect(businessDate(new Date(b.end.getTime() - 1), zone)).toBe(date);
    }
  });

  it('returns fresh Date objects, so a caller mutating one cannot corrupt the cache', () => {
    const first = businessDayBounds('2026-11-11', 'Asia/Shanghai');
    first.start.setTime(0);
    expect(iso(businessDayBounds('2026-11-11', 'Asia/Shanghai').start)).toBe('2026-11-10T16:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-1-5', '20261105', ''])('refuses %p, which is not a calendar date', (date) => {
    expect(() => businessDayBounds(date, 'UTC')).toThrow(RangeError);
  });
});

describe('utcOffsetSeconds (report timelines bucket instants by it)', () => {
  // A report's `from` may be any RFC 3339 time, 0000-01-01 included: the offset of an instant before 100 AD was
  // 1,900 years off (Date.UTC reads the years 0-99 as 1900-1999), a PostgreSQL integer overflow in the report.
  it.each([
    ['-000001-12-31T10:00:00Z', 'UTC', 0],
    ['0000-01-01T00:00:00Z', 'UTC', 0],
    ['0050-06-01T00:00:00Z', 'UTC', 0],
    ['0099-12-31T23:59:59Z', 'Asia/Shanghai', 29143],
    ['0100-01-01T00:00:00Z', 'Asia/Shanghai', 29143],
    ['2026-11-11T00:00:00Z', 'Asia/Shanghai', 28800],
    ['2026-07-01T00:00:00Z', 'America/New_York', -14400],
  ])('is the zone database offset at %s in %s', (at, zone, seconds) => {
    expect(utcOffsetSeconds(new Date(at), zone)).toBe(seconds);
  });
});
