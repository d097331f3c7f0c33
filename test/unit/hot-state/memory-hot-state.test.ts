import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { DAY1, EMPTY_COUNTERS, request } from '../../integration/hot-state/hot-state-fixtures';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MemoryHotState', () => {
  it('forgets user counters after their TTL, like the Redis user hash', async () => {
    const hot = new MemoryHotState({ userTtlMs: 30 });
    await hot.initialize('c', EMPTY_COUNTERS);
    await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }));
    expect(await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }))).toEqual({
      ok: false,
      reason: 'limit_reached',
    });
    await sleep(60);
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 0, daily: {} });
    expect((await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }))).ok).toBe(true);
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
  });

  it('refuses a malformed reserve before touching a counter', async () => {
    const hot = new MemoryHotState();
    await hot.initialize('c', EMPTY_COUNTERS);
    await expect(hot.reserve(request('c', { charge: -1 }))).rejects.toThrow(RangeError);
    await expect(hot.reserve(request('c', { limits: { stock: 1.5 } }))).rejects.toThrow(RangeError);
    await expect(hot.reserve(request('c', { userId: '' }))).rejects.toThrow(TypeError);
    expect(await hot.reservations('c')).toEqual([]);
  });
});
