/**
 * Keeps a lease for this instance: tries to take it, renews it at a third of its TTL, and gives it up on
 * stop. `held()` is the local view (taken, and not past its TTL by our clock); `confirm()` asks the store.
 */
import type { Logger } from '../observability/logger';
import { repeatLimitedWarn } from '../observability/repeat-filter';
import type { Lease } from './lease';

export class LeaseKeeper {
  private heldUntil = 0;
  /** Until then (stepDown) this instance does not take the lease, though it may be free. */
  private standDownUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  /**
   * While the lease's store is down (a worker started during a Redis outage), every renewal and every job's turn
   * fails the same way: the first failure is logged, then a reminder at most once a minute.
   */
  private readonly warnFailure: ((err: unknown, fields?: Record<string, unknown>) => void) | undefined;

  constructor(
    private readonly lease: Lease,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
    private readonly logger?: Logger,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.warnFailure = logger ? repeatLimitedWarn(logger, 'lease renewal failed') : undefined;
  }

  /** Cheap (no round trip): scheduled runs ask it between their units of work (JobRunner's StillLeader). */
  held(): boolean {
    return this.now() < this.heldUntil;
  }

  /** Takes or renews the lease; false when another instance holds it (or the store is unreachable). */
  async confirm(): Promise<boolean> {
    const asked = this.now();
    if (asked < this.standDownUntil) return false;
    try {
      const ok = await this.lease.acquire(this.name, this.holder, this.ttlMs);
      const was = this.held();
      this.heldUntil = ok ? asked + this.ttlMs : 0;
      if (ok !== was)
        this.logger?.info({ lease: this.name, holder: this.holder }, ok ? 'lease taken' : 'lease lost');
      return ok;
    } catch (err) {
      this.warnFailure?.(err, { lease: this.name });
      this.heldUntil = 0;
      return false;
    }
  }

  /**
   * Gives the lease up and leaves it for `ms` (a healthy instance takes it meanwhile; this one may take it back
   * afterwards if it is still free): for a holder whose jobs keep failing on a dependency its renewal does not need.
   */
  async stepDown(ms: number, fields: Record<string, unknown> = {}): Promise<void> {
    this.standDownUntil = this.now() + ms;
    const was = this.held();
    this.heldUntil = 0;
    if (was) this.logger?.warn({ lease: this.name, holder: this.holder, ...fields }, 'lease given up');
    await this.lease.release(this.name, this.holder).catch((err: unknown) => this.warnFailure?.(err));
  }

  start(): void {
    if (this.timer) return;
    void this.confirm();
    this.timer = setInterval(() => void this.confirm(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.heldUntil = 0;
    await this.lease.release(this.name, this.holder).catch(() => undefined);
  }
}
