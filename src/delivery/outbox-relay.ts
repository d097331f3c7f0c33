/**
 * The outbox relay: claims due outbox entries (OutboxStore.claim: FOR UPDATE SKIP LOCKED on PostgreSQL, so
 * several relays share the work and never send the same entry at once; on SQLite one relay, under the worker
 * lease) and hands each to the DeliveryService, a few at a time. A batch's claim lasts every round of its
 * sends (claimLeaseMs), and the DeliveryService renews an entry's claim right before sending it, so an entry
 * is never sent after its claim may have lapsed (claim-lease.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../ledger/db';
import type { OutboxEntry, OutboxStats, OutboxStore } from '../ledger/outbox-store';
import type { Logger } from '../observability/logger';
import { repeatLimitedWarn } from '../observability/repeat-filter';
import { claimLeaseMs } from './claim-lease';
import type { DeliveryOutcome, DeliveryService } from './delivery-service';

export interface RelaySettings {
  /** Entries claimed per batch (default 50). */
  batchSize: number;
  /**
   * The least a batch's claim holds its entries (default 60 s); longer when the batch's rounds of sends need
   * it (claimLeaseMs: ceil(batchSize / concurrency) × (issuer timeout + slack)).
   */
  leaseMs: number;
  /** Deliveries in flight at once within a batch (default 8). */
  concurrency: number;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = { batchSize: 50, leaseMs: 60_000, concurrency: 8 };

/**
 * `lost`: the entry's claim was no longer this relay's (lapsed or taken), so it was left to the next claim, unsent
 * or with the issuer's refusal unrecorded; or the relay was stopping and gave it back unsent.
 */
export type RelayBatch = Record<DeliveryOutcome | 'errors', number> & { claimed: number };

export interface DeliveryStats extends OutboxStats {
  /** now − oldest pending entry's creation: how far delivery lags behind granting (0 with no backlog). */
  lagMs: number;
}

/** A claimed batch: its entries, the next to send, and its tally. */
interface BatchQueue {
  entries: readonly OutboxEntry[];
  next: number;
  batch: RelayBatch;
}

function emptyBatch(): RelayBatch {
  return { claimed: 0, delivered: 0, rejected: 0, retry: 0, dead: 0, skipped: 0, lost: 0, errors: 0 };
}

export class OutboxRelay {
  readonly relayId: string;
  private readonly settings: RelaySettings;
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** The batch being sent, whose unsent entries stop() gives back at once. */
  private current: BatchQueue | null = null;
  private wake: (() => void) | null = null;
  /** A ledger outage fails every poll the same way: logged once, then once a minute. */
  private readonly batchFailed: (err: unknown) => void;

  constructor(
    private readonly deps: {
      db: Db;
      outbox: OutboxStore;
      delivery: DeliveryService;
      clock: () => Date;
      logger: Logger;
      relayId?: string;
      settings?: Partial<RelaySettings>;
    },
  ) {
    this.relayId = deps.relayId ?? `relay-${randomUUID()}`;
    this.settings = { ...DEFAULT_RELAY_SETTINGS, ...deps.settings };
    this.batchFailed = repeatLimitedWarn(deps.logger, 'outbox relay batch failed');
  }

  /** Claims one batch and delivers it. */
  async runOnce(): Promise<RelayBatch> {
    const batch = emptyBatch();
    const entries = await this.deps.outbox.claim(this.deps.db, {
      relayId: this.relayId,
      limit: this.settings.batchSize,
      now: this.deps.clock(),
      leaseMs: claimLeaseMs(this.settings, this.deps.delivery.sendLeaseMs),
    });
    batch.claimed = entries.length;
    const queue: BatchQueue = { entries, next: 0, batch };
    this.current = queue;
    const worker = async (): Promise<void> => {
      // A relay told to stop (SIGTERM) sends nothing more of its batch: the sends at the issuer finish.
      while (queue.next < entries.length && !this.stopping) {
        const entry = entries[queue.next++];
        if (!entry) break;
        try {
          batch[await this.deps.delivery.deliver(entry, this.relayId)] += 1;
        } catch (err) {
          // The entry stays claimed until its lease runs out, then it is delivered again (same key).
          batch.errors += 1;
          this.deps.logger.error(
            { err, grantId: entry.grantId },
            'delivery failed; retried after the claim expires',
          );
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, entries.length) }, worker));
    } finally {
      this.current = null;
    }
    await this.releaseUnsent(queue);
    return batch;
  }

  /**
   * Gives back the entries of a stopped batch that were never sent: due again at once for any relay, their
   * claimed attempt uncounted, instead of held until the batch's claim runs out. Counted in `lost`. Taken from the
   * queue first, so no worker sends one and no second call gives one back twice.
   */
  private async releaseUnsent(queue: BatchQueue): Promise<void> {
    const unsent = queue.entries.slice(queue.next);
    queue.next = queue.entries.length;
    const { batch } = queue;
    if (unsent.length === 0) return;
    const now = this.deps.clock();
    for (const entry of unsent) {
      batch.lost += 1;
      const claim = { id: entry.id, relayId: this.relayId, attempts: entry.attempts };
      // A release that fails leaves the claim to run out, as a relay that died would.
      await this.deps.outbox.release(this.deps.db, claim, now).catch((err: unknown) => {
        this.deps.logger.warn({ err, grantId: entry.grantId }, 'could not give back an unsent claim');
      });
    }
    this.deps.logger.info({ released: unsent.length }, 'relay stopping: unsent claims given back');
  }

  /** Runs batches until nothing is due (or `maxBatches`); returns the totals. */
  async drain(maxBatches = 1000): Promise<RelayBatch> {
    const total = emptyBatch();
    for (let i = 0; i < maxBatches; i++) {
      const batch = await this.runOnce();
      for (const key of Object.keys(total) as Array<keyof RelayBatch>) total[key] += batch[key];
      if (batch.claimed === 0) break;
    }
    return total;
  }

  async stats(): Promise<DeliveryStats> {
    const now = this.deps.clock();
    const stats = await this.deps.outbox.stats(this.deps.db, now);
    const lagMs = stats.oldestPendingAt ? Math.max(0, now.getTime() - stats.oldestPendingAt.getTime()) : 0;
    return { ...stats, lagMs };
  }

  /**
   * Polls until stop(): a full batch goes again at once, an empty or partial one waits `pollMs`.
   * `active()` lets the worker pause the relay (on SQLite it only runs under the worker lease).
   */
  start(pollMs: number, active: () => boolean = () => true): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        let full = false;
        if (active()) {
          try {
            const batch = await this.runOnce();
            full = batch.claimed >= this.settings.batchSize;
          } catch (err) {
            this.batchFailed(err);
          }
        }
        if (!full && !this.stopping) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            timer.unref();
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  /**
   * Stops polling and waits for the batch in progress: its sends already at an issuer finish (each within the
   * issuer timeout), and its entries not sent yet are given back (release) rather than sent first.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    // The unsent entries go back now, not once the sends at a slow issuer end: the process may be gone by then
    // (SHUTDOWN_GRACE_MS), and they stayed claimed for the batch's whole claim (210 s), "being delivered".
    if (this.current) await this.releaseUnsent(this.current);
    await this.loop;
    this.loop = null;
    // runOnce and drain by hand send again (a stopped relay gives its whole batch back).
    this.stopping = false;
  }
}
