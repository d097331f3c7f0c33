/**
 * Change notices: after a publish, rollback, pause or resume commits, every service instance is told to
 * refresh its registry at once (Redis pub/sub). Polling stays the fallback, so a lost notice only delays.
 */
export interface ChangeNotice {
  campaignId: string;
  action: string;
  /** The active version after the change. */
  version: number | null;
  at: string;
}

export interface ChangeNotifier {
  /** Never throws: a notice that cannot be sent is left to the poll. */
  notify(notice: ChangeNotice): Promise<void>;
}

export const silentNotifier: ChangeNotifier = { notify: () => Promise.resolve() };

export function combinedNotifier(...notifiers: readonly ChangeNotifier[]): ChangeNotifier {
  return {
    async notify(notice) {
      await Promise.all(notifiers.map((n) => n.notify(notice).catch(() => undefined)));
    },
  };
}

/** The default pub/sub channel (one per deployment; tests use their own). */
export const DEFAULT_CHANGES_CHANNEL = 'pocket:changes';
