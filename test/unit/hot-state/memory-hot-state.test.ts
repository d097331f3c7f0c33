import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { DAY1, EMPTY_COUNTERS, request } from '../../integration/hot-state/hot-state-fixtures';

/**
 * The TTL tests move a fake clock (Date.now, which MemoryHotState and the request fixture read) instead of
 * sleeping: with real time, a 30 ms TTL could run out between two reserves on a busy host, and 3000 reserves could
 * outlast a 500 ms one before the test looked.
 */
function fakeClock(): { advance(ms: number): void } {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  return { advance: (ms) => jest.advanceTimersByTime(ms) };
}

describe('MemoryHotState', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('forgets user counters after their TTL, like the Redis user hash', async () => {
    const clock = fakeClock();
    const hot = new MemoryHotState({ userTtlMs: 30 });
    await hot.initialize('c', EMPTY_COUNTERS);
    await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }));
    expect(await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }))).toEqual({
      ok: false,
      reason: 'limit_reached',
    });
    clock.advance(60);
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 0, daily: {} });
    expect((await hot.reserve(request('c', { userId: 'u1', limits: { perUserTotal: 1 } }))).ok).toBe(true);
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
  });

  it('sweeps expired users even when they sit behind longer-lived ones (TTLs differ by campaign)', async () => {
    const clock = fakeClock();
    const hot = new MemoryHotState();
    await hot.initialize('long', EMPTY_COUNTERS);
    await hot.initialize('short', EMPTY_COUNTERS);
    const users = (hot as unknown as { users: Map<string, unknown> }).users;
    await hot.reserve(request('long', { userId: 'first' }));
    for (let i = 0; i < 3000; i++) {
      await hot.reserve(request('short', { userId: `brief-${i}`, reservationId: `r-${i}`, userTtlMs: 500 }));
    }
    expect(users.size).toBe(3001);
    clock.advance(550);
    // Writes (reserves of other users) drive the sweep; nobody reads the brief users again.
    for (let i = 0; i < 3 * 1024; i++)
      await hot.primeUser('long', `writer-${i % 10}`, { total: 1, daily: {} });
    expect(users.size).toBe(11);
    expect((await hot.readUser('long', 'first')).total).toBe(1);
  });

  it('keeps at most maxUsers per-user counters, forgetting the least recently written first', async () => {
    const hot = new MemoryHotState({ maxUsers: 2 });
    await hot.initialize('c', EMPTY_COUNTERS);
    const one = { perUserTotal: 5 };
    await hot.reserve(request('c', { userId: 'u1', limits: one }));
    await hot.reserve(request('c', { userId: 'u2', limits: one }));
    // u1 written again: now u2 is the least recently written.
    await hot.reserve(request('c', { userId: 'u1', limits: one }));
    await hot.reserve(request('c', { userId: 'u3', limits: one }));
    expect(await hot.readUser('c', 'u2')).toEqual({ total: 0, daily: {} });
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 2, daily: { [DAY1]: 2 } });
    expect(await hot.readUser('c', 'u3')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
    // primeUser counts as a write too.
    await hot.primeUser('c', 'u1', { total: 1, daily: { [DAY1]: 1 } });
    await hot.primeUser('c', 'u4', { total: 1, daily: { [DAY1]: 1 } });
    expect(await hot.readUser('c', 'u3')).toEqual({ total: 0, daily: {} });
    expect(await hot.readUser('c', 'u1')).toEqual({ total: 1, daily: { [DAY1]: 1 } });
  });

  it('stays bounded under a stream of fresh users (the soak that grew ~475 bytes per user)', async () => {
    const hot = new MemoryHotState({ maxUsers: 1000 });
    await hot.initialize('c', EMPTY_COUNTERS);
    for (let i = 0; i < 10_000; i++) {
      const r = await hot.reserve(
        request('c', { userId: `fresh-${i}`, reservationId: `r-${i}`, limits: { perUserTotal: 1 } }),
      );
      if (r.ok) await hot.confirm('c', r.reservation.id);
    }
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if ((await hot.readUser('c', `fresh-${i}`)).total > 0) kept += 1;
    expect(kept).toBe(1000);
    expect((await hot.readUser('c', 'fresh-9999')).total).toBe(1);
    expect((await hot.readUser('c', 'fresh-8999')).total).toBe(0);
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
