import { createHmac } from 'node:crypto';
import { newNonce, signActivityCode, verifyActivityCode } from '../../../src/protection/activity-code';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';
const NOW = new Date('2026-11-11T10:00:00Z');
const IN_AN_HOUR = Math.floor(NOW.getTime() / 1000) + 3600;

function code(overrides: Partial<Parameters<typeof signActivityCode>[1]> = {}, secret = SECRET): string {
  return signActivityCode(secret, {
    campaignId: 'spring-sale',
    userId: null,
    expiresAt: IN_AN_HOUR,
    nonce: newNonce(),
    ...overrides,
  });
}

const expected = { campaignId: 'spring-sale', userId: 'u-1', now: NOW };

describe('activity codes', () => {
  it('are compact base64url payload "." base64url HMAC-SHA256', () => {
    const c = code();
    expect(c).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(c.length).toBeLessThan(160);
    const [payload, mac] = c.split('.') as [string, string];
    expect(Buffer.from(payload, 'base64url').toString()).toMatch(
      /^1\|spring-sale\|\|\d+\|[A-Za-z0-9_-]{22}$/,
    );
    expect(mac).toBe(
      createHmac('sha256', SECRET).update(`pocket.activity-code.${payload}`).digest('base64url'),
    );
  });

  it('verify: a genuine code for this campaign passes and yields its nonce', () => {
    const nonce = newNonce();
    const check = verifyActivityCode(SECRET, code({ nonce }), expected);
    expect(check).toEqual({
      ok: true,
      claims: { campaignId: 'spring-sale', userId: null, expiresAt: IN_AN_HOUR, nonce },
    });
  });

  it('binds to a user when issued for one', () => {
    expect(verifyActivityCode(SECRET, code({ userId: 'u-1' }), expected).ok).toBe(true);
    expect(verifyActivityCode(SECRET, code({ userId: 'u-2' }), expected)).toEqual({
      ok: false,
      reason: 'code_invalid',
    });
  });

  it('refuses another campaign, another secret, a tampered payload or MAC, and garbage as code_invalid', () => {
    const genuine = code();
    const [payload, mac] = genuine.split('.') as [string, string];
    const forgedPayload = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('spring-sale', 'spring-sall'),
    ).toString('base64url');
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      code({ campaignId: 'autumn-sale' }),
      code({}, 'another-secret-that-is-at-least-32-characters'),
      `${forgedPayload}.${mac}`,
      `${payload}.${flipped}`,
      `${payload}.${mac}.x`,
      `${payload}`,
      '',
      'not a code',
      `${'A'.repeat(500)}.${mac}`,
    ]) {
      expect(verifyActivityCode(SECRET, bad, expected)).toEqual({ ok: false, reason: 'code_invalid' });
    }
  });

  it('accepts a code signed with any of the secrets given (rotation: current, then previous), and no other', () => {
    const previous = 'the-previous-secret-of-at-least-32-characters';
    const old = code({ userId: 'u-1' }, previous);
    expect(verifyActivityCode([SECRET, previous], old, expected).ok).toBe(true);
    expect(verifyActivityCode([SECRET, previous], code(), expected).ok).toBe(true);
    expect(verifyActivityCode([SECRET], old, expected)).toEqual({ ok: false, reason: 'code_invalid' });
    // The previous secret opens nothing more: the claims are still checked.
    expect(verifyActivityCode([SECRET, previous], old, { ...expected, userId: 'u-2' })).toEqual({
      ok: false,
      reason: 'code_invalid',
    });
  });

  it('refuses a genuine code from its expiry second on as code_expired', () => {
    const at = Math.floor(NOW.getTime() / 1000);
    expect(verifyActivityCode(SECRET, code({ expiresAt: at }), expected)).toEqual({
      ok: false,
      reason: 'code_expired',
    });
    expect(verifyActivityCode(SECRET, code({ expiresAt: at + 1 }), expected).ok).toBe(true);
  });

  it('a MAC over a malformed payload is still refused (fields are checked after the MAC)', () => {
    const payload = Buffer.from('1|spring-sale||notanumber|abc').toString('base64url');
    const mac = createHmac('sha256', SECRET).update(`pocket.activity-code.${payload}`).digest('base64url');
    expect(verifyActivityCode(SECRET, `${payload}.${mac}`, expected)).toEqual({
      ok: false,
      reason: 'code_invalid',
    });
  });

  it('refuses to sign bad claims', () => {
    expect(() => code({ campaignId: 'Bad Id' })).toThrow(RangeError);
    expect(() => code({ userId: 'a|b' })).toThrow(RangeError);
    expect(() => code({ expiresAt: 1.5 })).toThrow(RangeError);
    expect(() => code({ nonce: 'short' })).toThrow(RangeError);
  });
});
