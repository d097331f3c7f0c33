import { blockValue } from '../../../src/protection/block-subject';
import { normalizeIp, rateLimitedIp, withoutPort } from '../../../src/shared/ip-address';
import { parseTtlSeconds } from '../../../src/protection/code-ttl';
import { accountAgeCheck, accountAgeDecision, riskAction } from '../../../src/protection/fraud-decisions';
import { rateChecks } from '../../../src/protection/rate-checks';
import { parseRate, retryAfterSeconds } from '../../../src/protection/rate-spec';

describe('parseRate', () => {
  it.each([
    ['5/min', 5, 60],
    ['2000/s', 2000, 1],
    ['3/sec', 3, 1],
    ['10/h', 10, 3600],
    ['1/hour', 1, 3600],
    ['100/day', 100, 86400],
  ])('%s', (text, points, durationSec) => {
    expect(parseRate(text)).toEqual({ points, durationSec });
  });
  it.each(['0/min', '5/week', '5 / min', '-1/s', '1.5/s', 'min'])('refuses %s', (text) => {
    expect(() => parseRate(text)).toThrow(RangeError);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_001, 60],
    [0, 1],
    [-1, 1],
  ])('%d ms → %d s (rounded up, never 0)', (ms, s) => {
    expect(retryAfterSeconds(ms)).toBe(s);
  });
});

describe('rateChecks', () => {
  const limits = { perUser: '5/min', perDevice: '10/min', perIp: '60/min', campaign: '2000/s' };
  it('puts user, device and IP first and the campaign-wide limit last', () => {
    expect(rateChecks(limits, { userId: 'u', deviceId: 'd', ip: '1.2.3.4' })).toEqual({
      narrow: [
        { dimension: 'user', spec: { points: 5, durationSec: 60 }, key: 'u' },
        { dimension: 'device', spec: { points: 10, durationSec: 60 }, key: 'd' },
        { dimension: 'ip', spec: { points: 60, durationSec: 60 }, key: '1.2.3.4' },
      ],
      campaign: { dimension: 'campaign', spec: { points: 2000, durationSec: 1 }, key: 'all' },
    });
  });
  it('skips the device limit without a device id, and everything without rateLimit', () => {
    expect(rateChecks(limits, { userId: 'u', ip: '1.2.3.4' }).narrow.map((c) => c.dimension)).toEqual([
      'user',
      'ip',
    ]);
    expect(rateChecks(undefined, { userId: 'u', ip: '1.2.3.4' })).toEqual({ narrow: [], campaign: null });
  });
  it('counts only the IP of a request whose credentials were refused: its user and device are unverified', () => {
    const refused = { userId: 'victim', deviceId: 'd', ip: '1.2.3.4', credentialsAccepted: false };
    expect(rateChecks(limits, refused)).toEqual({
      narrow: [{ dimension: 'ip', spec: { points: 60, durationSec: 60 }, key: '1.2.3.4' }],
      campaign: null,
    });
    expect(rateChecks(limits, { ...refused, credentialsAccepted: true }).narrow).toHaveLength(3);
  });
});

describe('accountAgeDecision (minAccountAgeDays)', () => {
  it('passes at or above the minimum, refuses below it', () => {
    expect(accountAgeDecision(3, { registeredDays: 3 })).toEqual({
      result: 'pass',
      min: 3,
      registeredDays: 3,
    });
    expect(accountAgeDecision(3, { registeredDays: 2 }).result).toBe('deny');
  });
  it('refuses a profile without a usable registeredDays (fail closed)', () => {
    for (const profile of [{}, { registeredDays: '30' }, { registeredDays: -1 }, { registeredDays: NaN }]) {
      expect(accountAgeDecision(1, profile)).toEqual({ result: 'deny', min: 1, registeredDays: null });
    }
  });
  it('never reads an inherited registeredDays', () => {
    const profile = Object.create({ registeredDays: 100 }) as Record<string, unknown>;
    expect(accountAgeDecision(1, profile).result).toBe('deny');
  });
});

describe('accountAgeCheck (the profile-only part of the velocity screen, shared with the simulators)', () => {
  it('is off (null) without minAccountAgeDays, or with 0', () => {
    expect(accountAgeCheck(undefined, {})).toBeNull();
    expect(accountAgeCheck({ velocity: { maxAccountsPerDevice: 2 } }, {})).toBeNull();
    expect(accountAgeCheck({ velocity: { minAccountAgeDays: 0 } }, {})).toBeNull();
  });
  it("decides with the campaign's minimum, whatever else the velocity block sets", () => {
    const protection = { velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 3, requireDeviceId: true } };
    expect(accountAgeCheck(protection, { registeredDays: 3 })).toEqual({
      result: 'pass',
      min: 3,
      registeredDays: 3,
    });
    expect(accountAgeCheck(protection, { registeredDays: 2 })).toEqual({
      result: 'deny',
      min: 3,
      registeredDays: 2,
    });
    expect(accountAgeCheck(protection, { gender: 'female' })).toEqual({
      result: 'deny',
      min: 3,
      registeredDays: null,
    });
  });
});

describe('riskAction', () => {
  it('applies the action only above maxScore', () => {
    const deny = { maxScore: 80, action: 'deny', onError: 'deny' } as const;
    const soft = { maxScore: 80, action: 'soft', onError: 'allow' } as const;
    expect(riskAction(deny, 80)).toBe('allow');
    expect(riskAction(deny, 80.5)).toBe('deny');
    expect(riskAction(soft, 99)).toBe('soft');
  });
});

describe('blocklist subjects', () => {
  it('normalizes IPv4-mapped IPv6 addresses and IPv6 case', () => {
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(blockValue('ip', '::FFFF:10.0.0.1')).toBe('10.0.0.1');
  });
  it('gives every spelling of one address the same value, so a block or a rate limit cannot be dodged', () => {
    for (const spelling of ['2001:0DB8:0:0::6', '2001:db8:0::6', '2001:0db8::6', '2001:db8:0:0:0:0:0:6'])
      expect(normalizeIp(spelling)).toBe('2001:db8::6');
    for (const spelling of ['60.0.0.9', '::ffff:60.0.0.9', '::ffff:3c00:9', '0:0:0:0:0:ffff:60.0.0.9'])
      expect(normalizeIp(spelling)).toBe('60.0.0.9');
    expect(blockValue('ip', '2001:0DB8:0:0::6')).toBe('2001:db8::6');
    expect(normalizeIp('not an address')).toBe('not an address');
  });
  it('counts an IPv6 client by its /64 for per-IP limits, and an IPv4 one (mapped or not) by its address', () => {
    for (const address of ['2001:DB8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002::'])
      expect(rateLimitedIp(address)).toBe('2001:db8:1:2::/64');
    expect(rateLimitedIp('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(rateLimitedIp('::ffff:60.0.0.9')).toBe('60.0.0.9');
    expect(rateLimitedIp('60.0.0.9')).toBe('60.0.0.9');
  });
  it('takes the port a proxy appends to an X-Forwarded-For entry off the client address', () => {
    expect(withoutPort('203.0.113.5:51234')).toBe('203.0.113.5');
    expect(withoutPort('[2001:db8::5]:443')).toBe('2001:db8::5');
    expect(withoutPort('[2001:db8::5]')).toBe('2001:db8::5');
    for (const kept of ['203.0.113.5', '2001:db8::5', '::ffff:1.2.3.4', '999.1.1.1:80', 'unknown', ''])
      expect(withoutPort(kept)).toBe(kept);
  });
  it('refuses malformed values', () => {
    expect(() => blockValue('ip', '10.0.0.256')).toThrow(RangeError);
    expect(() => blockValue('user', 'a b')).toThrow(RangeError);
    expect(() => blockValue('user', '..')).toThrow(RangeError);
    expect(() => blockValue('user', '.')).toThrow(RangeError);
    expect(() => blockValue('device', 'x'.repeat(129))).toThrow(RangeError);
  });
});

describe('parseTtlSeconds', () => {
  it.each([
    ['90s', 90],
    ['90', 90],
    ['30m', 1800],
    ['24h', 86400],
    ['7d', 604800],
  ])('%s', (text, seconds) => {
    expect(parseTtlSeconds(text)).toBe(seconds);
  });
  it.each(['0', '1w', '-5m', '400d', ''])('refuses %s', (text) => {
    expect(() => parseTtlSeconds(text)).toThrow(RangeError);
  });
});
