/**
 * The change listener on a real Redis: it reports its first subscription as a possible missed notice, receives
 * notices on its channel only, tolerates garbage, and after its connection is killed it reconnects, subscribes
 * again and reports the reconnection (a notice may have been missed), then keeps receiving.
 */
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../../src/hot-state/redis-client';
import type { ChangeNotice } from '../../../src/publishing/change-notifier';
import { RedisChangeListener } from '../../../src/publishing/redis-change-listener';
import { RedisChangeNotifier } from '../../../src/publishing/redis-change-notifier';
import { describeWithServices, uniqueName } from '../../helpers/services';

describeWithServices(['REDIS_URL'], 'Redis change listener', () => {
  const url = process.env.REDIS_URL ?? '';
  const channel = uniqueName('changes');
  const name = uniqueName('listener');
  const received: Array<ChangeNotice | null> = [];
  let listener: RedisChangeListener;
  let redis: Redis;

  const notice = (campaignId: string): ChangeNotice => ({
    campaignId,
    action: 'publish',
    version: 1,
    at: '2026-11-11T00:00:00.000Z',
  });
  /**
   * Waits until `count` notices have arrived, or a deadline that only ends a failing test: a reconnection waits
   * for its backoff and then a new subscription, which take longer on a busy host.
   */
  async function arrived(count: number): Promise<Array<ChangeNotice | null>> {
    for (const deadline = Date.now() + 10_000; received.length < count && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 20));
    return received;
  }

  beforeAll(async () => {
    redis = createRedisClient(url);
    listener = new RedisChangeListener(url, channel, {
      onNotice: (n) => received.push(n),
      connectionName: name,
    });
    await listener.start();
  });
  afterAll(async () => {
    await listener.close();
    redis.disconnect();
  });

  it('reports its first subscription as a possible missed notice (a change between the first read and it)', () => {
    expect(received).toEqual([null]);
    received.length = 0;
  });

  it('receives notices on its channel, not on others, and garbage as an unknown change', async () => {
    const notifier = new RedisChangeNotifier(redis, channel);
    await new RedisChangeNotifier(redis, `${channel}-other`).notify(notice('elsewhere'));
    await notifier.notify(notice('c1'));
    await redis.publish(channel, 'not json');
    expect(await arrived(2)).toEqual([notice('c1'), null]);
  });

  it('resubscribes after its connection is killed, reports the reconnection, and keeps receiving', async () => {
    received.length = 0;
    const clients = (await redis.client('LIST')) as string;
    const id = /id=(\d+) [^\n]* name=(\S+)/g;
    const mine = [...clients.matchAll(id)].find((m) => m[2] === name)?.[1];
    expect(mine).toBeDefined();
    await redis.client('KILL', 'ID', mine as string);
    expect(await arrived(1)).toEqual([null]);
    await new RedisChangeNotifier(redis, channel).notify(notice('c2'));
    expect(await arrived(2)).toEqual([null, notice('c2')]);
  });

  it('never throws from notify when Redis cannot take the notice', async () => {
    const errors: unknown[] = [];
    const broken = { publish: () => Promise.reject(new Error('down')) };
    await expect(
      new RedisChangeNotifier(broken, channel, (e) => errors.push(e)).notify(notice('c3')),
    ).resolves.toBe(undefined);
    expect(errors).toHaveLength(1);
  });
});
