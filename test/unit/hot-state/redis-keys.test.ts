import { decodeKeyPart, encodeKeyPart, RedisKeys } from '../../../src/hot-state/redis-keys';

describe('encodeKeyPart', () => {
  it('keeps ordinary ids readable and removes every separator', () => {
    expect(encodeKeyPart('new-user_red.packet~1')).toBe('new-user_red.packet~1');
    expect(encodeKeyPart('a:b{c}%')).toBe('a%003ab%007bc%007d%0025');
  });

  it('round-trips any string, lone surrogates included', () => {
    for (const value of ['', 'a:b', '%003a', '用户:1', '\ud800x', '{}}{', 'a b\nc']) {
      expect(decodeKeyPart(encodeKeyPart(value))).toBe(value);
    }
  });
});

describe('RedisKeys', () => {
  const keys = new RedisKeys('p:');

  it('puts every key of a campaign under the campaign hash tag', () => {
    const all = [
      keys.state('c:1}'),
      keys.stockFree('c:1}', 'r'),
      keys.budgetFree('c:1}'),
      keys.dailyFree('c:1}', '2026-11-11'),
      keys.user('c:1}', 'u'),
      keys.reservations('c:1}'),
      keys.reservationExpiry('c:1}'),
      keys.lock('c:1}', 'u'),
      keys.idempotency('c:1}', 'u', 'k'),
    ];
    for (const key of all) expect(key.startsWith('p:{c%003a1%007d}:')).toBe(true);
  });

  it('never gives two different (user, key) pairs the same idempotency key', () => {
    expect(keys.idempotency('c', 'a:b', 'c')).not.toBe(keys.idempotency('c', 'a', 'b:c'));
    expect(keys.user('c', 'a:b')).not.toBe(keys.user('c', 'a%003ab'));
  });

  it('refuses a prefix with braces, which would change the hash tag', () => {
    expect(() => new RedisKeys('p{x}:')).toThrow(RangeError);
  });
});
