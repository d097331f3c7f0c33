import { retryAfterMs } from '../../../src/integrations/retry-after';

const NOW = new Date('2026-11-25T20:30:00Z');

describe('retryAfterMs (RFC 9110 Retry-After)', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date against now, a past one as no wait', () => {
    expect(retryAfterMs('Wed, 25 Nov 2026 20:31:30 GMT', NOW)).toBe(90_000);
    expect(retryAfterMs('Wed, 25 Nov 2026 20:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores what is neither: absent, negative, fractional, or loose date text', () => {
    for (const header of [null, '', '-5', '1.5', '1e3', 'soon', '2026-11-25T20:31:30Z', 'Nov 25 2026']) {
      expect(retryAfterMs(header, NOW)).toBeNull();
    }
  });
});
