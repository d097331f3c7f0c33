import type { Redis } from 'ioredis';
import type { Lease } from './lease';

/** Takes a free lease (SET NX PX) or extends our own (compare-and-PEXPIRE), atomically. */
const ACQUIRE_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class RedisLease implements Lease {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix = 'pocket:lease:',
    private readonly ownsClient = false,
  ) {}

  /** A client created with lazyConnect connects on first use (no offline queue: commands need a connection). */
  private connecting: Promise<void> | null = null;

  private async ready(): Promise<void> {
    if (this.client.status === 'wait') {
      this.connecting ??= this.client.connect().finally(() => {
        this.connecting = null;
      });
    }
    if (this.connecting) await this.connecting;
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    await this.ready();
    const reply = await this.client.eval(
      ACQUIRE_LUA,
      1,
      this.keyPrefix + name,
      holder,
      Math.max(1, Math.round(ttlMs)),
    );
    return reply === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.client.status === 'wait') return; // never connected: nothing held
    await this.client.eval(RELEASE_LUA, 1, this.keyPrefix + name, holder);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.disconnect();
  }
}
