/** Times in the CLI's text output are shown on the campaign's clock, with its offset. */
import { localTime } from '../../../src/shared/local-time';

describe('localTime', () => {
  it("shows an instant on the zone's clock with its offset, to the second", () => {
    expect(localTime('2026-11-21T04:00:00.400Z', 'Asia/Shanghai')).toBe('2026-11-21T12:00:00+08:00');
    expect(localTime('2026-11-21T04:00:00.000Z', 'America/New_York')).toBe('2026-11-20T23:00:00-05:00');
    expect(localTime('2026-07-01T04:00:00.000Z', 'America/New_York')).toBe('2026-07-01T00:00:00-04:00');
    expect(localTime('2026-11-21T04:00:00.000Z', 'Asia/Kolkata')).toBe('2026-11-21T09:30:00+05:30');
    expect(localTime('2026-11-21T04:00:00.000Z', 'UTC')).toBe('2026-11-21T04:00:00+00:00');
  });
});
