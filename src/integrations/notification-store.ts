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
   * makes an event fire once per occurrence however many runs notice it. The claimer sends it at once, so it
   * is not due before `leaseUntil`: a retry run (this instance's or another's) must not send it meanwhile.
   */
  claim(q: Executor, message: NotificationMessage, at: Date, leaseUntil: Date): Promise<boolean>;
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
  /**
   * Pending notifications whose next attempt is due, each taken for this caller: its next attempt moves to
   * `leaseUntil` first (a compare-and-set), so two runs never send the same one. A taker that dies mid-send
   * leaves it due again at `leaseUntil`, with the same id for the receiver to deduplicate.
   */
  takeDue(q: Executor, now: Date, limit: number, leaseUntil: Date): Promise<NotificationRecord[]>;
  list(q: Executor, filter?: { campaignId?: string; event?: string }): Promise<NotificationRecord[]>;
}
