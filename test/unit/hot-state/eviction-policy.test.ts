import type { Redis } from 'ioredis';
import { evictionWarning, readEvictionWarning } from '../../../src/hot-state/eviction-policy';

describe('Redis eviction policy warning', () => {
  it('warns only when Redis can evict keys: a maxmemory with a policy other than noeviction', () => {
    expect(evictionWarning(0, 'allkeys-lru')).toBeNull();
    expect(evictionWarning(1_073_741_824, 'noeviction')).toBeNull();
    expect(evictionWarning(1_073_741_824, 'allkeys-lru')).toBe(
      "Redis may evict pocket's keys (maxmemory 1073741824 bytes, maxmemory-policy allkeys-lru): counters, " +
        'reservations and locks lost that way mean 503s until the counters are rebuilt from the ledger; ' +
        'set maxmemory-policy noeviction',
    );
  });

  it("reads the server's settings, and says nothing when CONFIG is refused", async () => {
    const answering = (reply: string[]) => ({ call: () => Promise.resolve(reply) }) as unknown as Redis;
    expect(
      await readEvictionWarning(
        answering(['maxmemory', '104857600', 'maxmemory-policy', 'volatile-ttl', 'maxmemory-samples', '5']),
      ),
    ).toMatch(/maxmemory 104857600 bytes, maxmemory-policy volatile-ttl/);
    expect(
      await readEvictionWarning(answering(['maxmemory', '0', 'maxmemory-policy', 'allkeys-lru'])),
    ).toBeNull();
    const refusing = {
      call: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")),
    } as unknown as Redis;
    expect(await readEvictionWarning(refusing)).toBeNull();
  });
});
