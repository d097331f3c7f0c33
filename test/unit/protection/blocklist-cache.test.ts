import { DependencyUnavailableError } from '../../../src/errors/app-error';
import type { BlockEntry } from '../../../src/ledger/blocklist-store';
import { BlocklistCache } from '../../../src/protection/blocklist-cache';

describe('BlocklistCache', () => {
  let now = 0;
  let revision = 0;
  let entries: BlockEntry[] = [];
  const source = {
    revision: jest.fn(() => Promise.resolve(revision)),
    list: jest.fn(() => Promise.resolve(entries)),
  };
  const entry = (kind: BlockEntry['kind'], value: string): BlockEntry => ({
    kind,
    value,
    reason: `bad ${kind}`,
    createdAt: new Date(0),
  });

  beforeEach(() => {
    now = 0;
    revision = 1;
    entries = [entry('user', 'u-bad'), entry('device', 'd-bad'), entry('ip', '10.0.0.9')];
    source.revision.mockClear();
    source.list.mockClear();
  });

  it('finds a blocked user, device or IP (IPv4-mapped IPv6 included), and nothing else', async () => {
    const cache = new BlocklistCache(source, { ttlMs: 1000, now: () => now });
    expect(await cache.find({ userId: 'u-bad', ip: '1.1.1.1' })).toEqual({
      kind: 'user',
      value: 'u-bad',
      reason: 'bad user',
    });
    expect((await cache.find({ userId: 'u', deviceId: 'd-bad', ip: '1.1.1.1' }))?.kind).toBe('device');
    expect((await cache.find({ userId: 'u', ip: '::ffff:10.0.0.9' }))?.kind).toBe('ip');
    expect(await cache.find({ userId: 'u', deviceId: 'd', ip: '10.0.0.8' })).toBeNull();
  });

  it('matches an IP whatever spelling stored it or sent it (an older CLI stored IPv6 as typed)', async () => {
    entries = [entry('ip', '2001:0db8:0:0::6'), entry('ip', '::ffff:3c00:9')];
    const cache = new BlocklistCache(source, { ttlMs: 1000, now: () => now });
    expect((await cache.find({ userId: 'u', ip: '2001:db8::6' }))?.kind).toBe('ip');
    expect((await cache.find({ userId: 'u', ip: '2001:DB8:0::6' }))?.kind).toBe('ip');
    expect((await cache.find({ userId: 'u', ip: '60.0.0.9' }))?.kind).toBe('ip');
    expect(await cache.find({ userId: 'u', ip: '2001:db8::7' })).toBeNull();
  });

  it('reads the revision at most once per TTL and reloads the list only when it changed', async () => {
    const cache = new BlocklistCache(source, { ttlMs: 1000, now: () => now });
    await Promise.all(Array.from({ length: 10 }, () => cache.find({ userId: 'u', ip: '' })));
    expect(source.revision).toHaveBeenCalledTimes(1);
    expect(source.list).toHaveBeenCalledTimes(1);
    now = 999;
    await cache.find({ userId: 'u', ip: '' });
    expect(source.revision).toHaveBeenCalledTimes(1);
    now = 1000;
    await cache.find({ userId: 'u', ip: '' });
    expect(source.revision).toHaveBeenCalledTimes(2);
    expect(source.list).toHaveBeenCalledTimes(1);

    entries = [entry('user', 'u-new')];
    revision = 2;
    expect(await cache.find({ userId: 'u-new', ip: '' })).toBeNull(); // within the TTL: not yet
    now = 2000;
    expect((await cache.find({ userId: 'u-new', ip: '' }))?.kind).toBe('user');
    expect(await cache.find({ userId: 'u-bad', ip: '' })).toBeNull();
  });

  it('fails closed (503) when the list was never loaded, and keeps the last list when a refresh fails', async () => {
    const cache = new BlocklistCache(source, { ttlMs: 1000, now: () => now });
    source.revision.mockRejectedValueOnce(new Error('db down'));
    await expect(cache.find({ userId: 'u', ip: '' })).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect((await cache.find({ userId: 'u-bad', ip: '' }))?.kind).toBe('user');
    now = 5000;
    source.revision.mockRejectedValueOnce(new Error('db down'));
    expect((await cache.find({ userId: 'u-bad', ip: '' }))?.kind).toBe('user');
  });

  it('a refresh the ledger does not answer holds only the request that started it, for waitMs at most; the others use the last list at once', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const cache = new BlocklistCache(source, { ttlMs: 1000, waitMs: 500, now: () => now });
      expect((await cache.find({ userId: 'u-bad', ip: '' }))?.kind).toBe('user');
      now = 5000;
      source.revision.mockClear();
      let answer: (value: number) => void = () => undefined;
      source.revision.mockImplementationOnce(() => new Promise<number>((resolve) => (answer = resolve)));
      const first = cache.find({ userId: 'u-bad', ip: '' });
      const others = Promise.all([2, 3].map(() => cache.find({ userId: 'u-bad', ip: '' })));
      // No timer has run: the later requests did not wait for the stuck refresh.
      const served = await Promise.race([
        others.then((found) => found.map((f) => f?.kind)),
        new Promise((resolve) => setImmediate(() => resolve('still waiting'))),
      ]);
      expect(served).toEqual(['user', 'user']);
      jest.advanceTimersByTime(500);
      expect((await first)?.kind).toBe('user');
      expect(source.revision).toHaveBeenCalledTimes(1);
      answer(revision);
    } finally {
      jest.useRealTimers();
    }
  });

  it('with no list loaded yet, a refresh the ledger does not answer is a 503 after waitMs', async () => {
    const cache = new BlocklistCache(source, { ttlMs: 1000, waitMs: 20, now: () => now });
    source.revision.mockImplementationOnce(() => new Promise<number>(() => undefined));
    await expect(cache.find({ userId: 'u', ip: '' })).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
