/** Publishes change notices on a Redis pub/sub channel (the command connection; PUBLISH needs no subscriber). */
import type { Redis } from 'ioredis';
import type { ChangeNotice, ChangeNotifier } from './change-notifier';

export class RedisChangeNotifier implements ChangeNotifier {
  constructor(
    private readonly client: Pick<Redis, 'publish'>,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async notify(notice: ChangeNotice): Promise<void> {
    try {
      await this.client.publish(this.channel, JSON.stringify(notice));
    } catch (error) {
      // The instances' poll picks the change up within refreshMs.
      this.onError(error);
    }
  }
}
