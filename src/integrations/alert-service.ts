/**
 * Alerts: each event fires once per occurrence (the notifications table's unique key), goes out through the
 * webhook notifier, and is retried later when the webhook is down. Money going wrong is always announced:
 * reconciliation discrepancies and dead-lettered grants go out whatever the campaign says. The business events
 * (budget thresholds, stock exhausted) go out when the campaign lists them in `notify.on`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../ledger/db';
import type { Logger } from '../observability/logger';
import { ALWAYS_LEADER, type StillLeader } from '../shared/still-leader';
import type { AlertEvent, NotificationMessage, Notifier } from './notifier';
import type { NotificationRecord, NotificationStore } from './notification-store';

/** Sent for every campaign, listed in its `notify.on` or not. */
const ALWAYS_SENT: readonly AlertEvent[] = ['reconcile.discrepancy', 'grant.dead_lettered'];

export interface Alert {
  event: AlertEvent;
  campaignId: string | null;
  occurrence: string;
  details: Record<string, unknown>;
}

export type AlertOutcome = 'sent' | 'pending' | 'duplicate' | 'unsubscribed' | 'skipped';

/** Where alerts are raised from (delivery, reconciliation); AlertService is the real one. */
export interface AlertSink {
  raise(alert: Alert): Promise<AlertOutcome>;
}

export interface AlertServiceDeps {
  db: Db;
  store: NotificationStore;
  /** null: NOTIFY_URL is not set; occurrences are still recorded (status skipped) and logged. */
  notifier: Notifier | null;
  /** The campaign's `notify.on`; undefined when it has no `notify` (or is unknown here). */
  subscriptions: (campaignId: string) => readonly string[] | undefined;
  clock: () => Date;
  logger: Logger;
  /** Sends of one notification before it is marked failed (default 8). */
  maxAttempts?: number;
  /** Pause before the first later retry, doubled each time (default 60 s). */
  retryBaseMs?: number;
}

/**
 * How long a claimed or taken notification is left to its sender before another run may send it: well above the
 * webhook's timeout (5 s by default, with its in-send retries), so only a sender that died leaves it due again.
 */
const SEND_LEASE_MS = 60_000;

export class AlertService implements AlertSink {
  constructor(private readonly deps: AlertServiceDeps) {}

  subscribed(alert: Pick<Alert, 'event' | 'campaignId'>): boolean {
    if (alert.campaignId === null || ALWAYS_SENT.includes(alert.event)) return true;
    return (this.deps.subscriptions(alert.campaignId) ?? []).includes(alert.event);
  }

  async raise(alert: Alert): Promise<AlertOutcome> {
    if (!this.subscribed(alert)) return 'unsubscribed';
    const now = this.deps.clock();
    const message: NotificationMessage = { id: randomUUID(), ...alert, at: now.toISOString() };
    const leaseUntil = new Date(now.getTime() + SEND_LEASE_MS);
    if (!(await this.deps.store.claim(this.deps.db, message, now, leaseUntil))) return 'duplicate';
    this.deps.logger.warn({ alert: message }, `alert ${alert.event}`);
    if (this.deps.notifier === null) {
      await this.deps.store.update(this.deps.db, message.id, {
        status: 'skipped',
        attempts: 0,
        nextAttemptAt: null,
        lastError: 'NOTIFY_URL is not set',
        sentAt: null,
      });
      return 'skipped';
    }
    return this.attempt(message, 0);
  }

  /**
   * Sends the notifications whose webhook failed before; returns how many went out. Stops before the next one
   * once `stillLeader` (the scheduled job's) says no: the ones taken and not sent are due again when their claim
   * lapses (SEND_LEASE_MS), for the lease's new holder.
   */
  async retryPending(limit = 100, stillLeader: StillLeader = ALWAYS_LEADER): Promise<number> {
    if (this.deps.notifier === null) return 0;
    const now = this.deps.clock();
    const leaseUntil = new Date(now.getTime() + SEND_LEASE_MS);
    const due: NotificationRecord[] = await this.deps.store.takeDue(this.deps.db, now, limit, leaseUntil);
    let sent = 0;
    for (const record of due) {
      if (!stillLeader()) break;
      if ((await this.attempt(record.message, record.attempts)) === 'sent') sent += 1;
    }
    return sent;
  }

  private async attempt(message: NotificationMessage, previous: number): Promise<'sent' | 'pending'> {
    const attempts = previous + 1;
    try {
      await this.deps.notifier?.send(message);
      await this.deps.store.update(this.deps.db, message.id, {
        status: 'sent',
        attempts,
        nextAttemptAt: null,
        lastError: null,
        sentAt: this.deps.clock(),
      });
      return 'sent';
    } catch (error) {
      const lastError = error instanceof Error ? error.message : String(error);
      const giveUp = attempts >= (this.deps.maxAttempts ?? 8);
      const delay = (this.deps.retryBaseMs ?? 60_000) * 2 ** (attempts - 1);
      await this.deps.store.update(this.deps.db, message.id, {
        status: giveUp ? 'failed' : 'pending',
        attempts,
        nextAttemptAt: giveUp ? null : new Date(this.deps.clock().getTime() + delay),
        lastError,
        sentAt: null,
      });
      this.deps.logger.error({ err: error, notification: message.id }, 'webhook notification failed');
      return 'pending';
    }
  }
}
