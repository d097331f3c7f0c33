import type { Executor } from '../ledger/db';
import type { NotificationMessage } from './notifier';

export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface NotificationRecord {
  message: NotificationMessage;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface NotificationStore {
  /**
   * Records the occurrence; false when (campaign, event, occurrence) was recorded before, which is what
   * makes an event fire once per occurrence however many runs notice it.
   */
  claim(q: Executor, message: NotificationMessage, at: Date): Promise<boolean>;
  update(
    q: Executor,
    id: string,
    change: {
      status: NotificationStatus;
      attempts: number;
      nextAttemptAt: Date | null;
      lastError: string | null;
      sentAt: Date | null;
    },
  ): Promise<void>;
  /** Pending notifications whose next attempt is due. */
  due(q: Executor, now: Date, limit: number): Promise<NotificationRecord[]>;
  list(q: Executor, filter?: { campaignId?: string; event?: string }): Promise<NotificationRecord[]>;
}
