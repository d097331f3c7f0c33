import { normalizeCounters } from './campaign-counters';
import type {
  AvailabilityRead,
  AvailabilitySnapshot,
  BeginInput,
  BeginResult,
  KeyState,
  CampaignCounters,
  EndInput,
  HotState,
  Range,
  Reservation,
  ReserveRequest,
  ReserveResult,
  UserCounters,
} from './hot-state';
import { keyStateOf } from './hot-state';
import { HOT_STATE_DEFAULTS } from './hot-state-defaults';
import { retryWhileBusy } from './lock-retry';
import { RangePool } from './range-pool';
import { assertReserveRequest, assertTtl } from './reserve-request';
import { SlotPool } from './slot-pool';

export interface MemoryHotStateOptions {
  userTtlMs?: number;
  freeRangeScan?: number;
  /** Per-user counters kept at most; the least recently written go first. Default MEMORY_MAX_USERS. */
  maxUsers?: number;
}

/**
 * The per-user counters kept in process memory at most (about 300 to 500 bytes each on the heap). Their TTL
 * (userTtlMs, 45 days) alone does not bound them: every distinct user of those 45 days would stay, so a
 * long-running embedded process grew by ~475 bytes per new user until it ran out of heap. Forgetting a user's
 * counts is safe: the ledger's per-user fence refuses a grant over the limit (limit_reached, and the counts are
 * primed again from the ledger), as after a Redis restart or eviction.
 */
const MEMORY_MAX_USERS = 500_000;

interface CampaignPools {
  stock: Map<string, SlotPool>;
  budget: RangePool;
  daily: Map<string, RangePool>;
}

interface UserEntry {
  total: number;
  daily: Map<string, number>;
  expiresAt: number;
}

interface Expiring {
  value: string;
  expiresAt: number;
}

/** Expired entries are swept after this many writes, so a long-running embedded process stays bounded. */
const SWEEP_EVERY = 1024;
/** How many per-user entries one sweep looks at. */
const SWEEP_SLICE = 4096;

/**
 * The embedded hot state: one process only. Every method runs synchronously up to its result, so each one is
 * as atomic as a Lua script. Same semantics as RedisHotState (the contract suite runs on both).
 */
export class MemoryHotState implements HotState {
  private readonly userTtlMs: number;
  private readonly freeRangeScan: number;
  private readonly maxUsers: number;
  private campaigns = new Map<string, CampaignPools>();
  private reservationsByCampaign = new Map<string, Map<string, Reservation>>();
  private users = new Map<string, UserEntry>();
  /** Where the sweep of expired users goes on from (noteWrite). */
  private sweepCursor = this.users.entries();
  private expiring = new Map<string, Expiring>();
  private writes = 0;

  constructor(options: MemoryHotStateOptions = {}) {
    this.userTtlMs = options.userTtlMs ?? HOT_STATE_DEFAULTS.userTtlMs;
    this.freeRangeScan = options.freeRangeScan ?? HOT_STATE_DEFAULTS.freeRangeScan;
    this.maxUsers = Math.max(1, options.maxUsers ?? MEMORY_MAX_USERS);
  }

  /** Test helper: lose everything, as a Redis restart would. */
  wipe(): void {
    this.campaigns = new Map();
    this.reservationsByCampaign = new Map();
    this.users = new Map();
    this.sweepCursor = this.users.entries();
    this.expiring = new Map();
  }

  begin(input: BeginInput): Promise<BeginResult> {
    const lockKey = JSON.stringify(['lock', input.campaignId, input.userId]);
    const markerKey = JSON.stringify(['idem', input.campaignId, input.userId, input.idempotencyKey]);
    return retryWhileBusy(async () => {
      const marker = this.getExpiring(markerKey);
      if (marker === 'done') return marker;
      if (marker !== undefined) return marker === `in_flight:${input.requestHash}` ? 'in_flight' : 'mismatch';
      const holder = this.getExpiring(lockKey);
      if (holder !== undefined && holder !== input.lockToken) return 'busy';
      this.setExpiring(lockKey, input.lockToken, input.lockTtlMs);
      this.setExpiring(markerKey, `in_flight:${input.requestHash}`, input.markerTtlMs);
      return 'ok';
    }, input.waitMs);
  }

  keyState(
    input: Pick<BeginInput, 'campaignId' | 'userId' | 'idempotencyKey' | 'requestHash'>,
  ): Promise<KeyState> {
    const markerKey = JSON.stringify(['idem', input.campaignId, input.userId, input.idempotencyKey]);
    return Promise.resolve(keyStateOf(this.getExpiring(markerKey), input.requestHash));
  }

  /** The read right after the lock's last attempt (a read, not a promise: the reserve checks again). */
  async beginAndRead(
    input: BeginInput,
    read: AvailabilityRead,
  ): Promise<{ begun: BeginResult; availability: AvailabilitySnapshot }> {
    const begun = await this.begin(input);
    return {
      begun,
      availability: await this.availability(input.campaignId, read.rewardIds, read.businessDate),
    };
  }

  async end(input: EndInput): Promise<void> {
    const lockKey = JSON.stringify(['lock', input.campaignId, input.userId]);
    const markerKey = JSON.stringify(['idem', input.campaignId, input.userId, input.idempotencyKey]);
    if (this.getExpiring(lockKey) === input.lockToken) this.expiring.delete(lockKey);
    if (input.final) this.setExpiring(markerKey, 'done', input.doneTtlMs);
    else if (this.getExpiring(markerKey)?.startsWith('in_flight:')) this.expiring.delete(markerKey);
    if (input.confirmReservationId) await this.confirm(input.campaignId, input.confirmReservationId);
  }

  async availability(
    campaignId: string,
    rewardIds: readonly string[],
    businessDate: string,
  ): Promise<AvailabilitySnapshot> {
    const pools = this.campaigns.get(campaignId);
    if (pools === undefined) return { initialized: false, stockUsed: {}, spent: 0, dailySpent: 0 };
    const stockUsed: Record<string, number> = {};
    for (const rewardId of rewardIds) {
      const pool = pools.stock.get(rewardId);
      if (pool !== undefined) stockUsed[rewardId] = pool.used;
    }
    return {
      initialized: true,
      stockUsed,
      spent: pools.budget.spent,
      dailySpent: pools.daily.get(businessDate)?.spent ?? 0,
    };
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    assertReserveRequest(request);
    const { campaignId, limits, charge } = request;
    const existing = this.reservationsByCampaign.get(campaignId)?.get(request.reservationId);
    if (existing !== undefined) return { ok: true, reservation: { ...existing } };
    const pools = this.campaigns.get(campaignId);
    if (pools === undefined) return { ok: false, reason: 'uninitialized' };

    const user = this.getUser(campaignId, request.userId);
    const userDaily = user?.daily.get(request.businessDate) ?? 0;
    if (limits.perUserTotal !== null && (user?.total ?? 0) >= limits.perUserTotal) {
      return { ok: false, reason: 'limit_reached' };
    }
    if (limits.perUserDaily !== null && userDaily >= limits.perUserDaily)
      return { ok: false, reason: 'limit_reached' };

    const stockPool = pools.stock.get(request.rewardId) ?? new SlotPool();
    const dailyPool = pools.daily.get(request.businessDate) ?? new RangePool();
    const takesStock = request.spends && limits.stock !== null;
    const slot = takesStock ? stockPool.plan(limits.stock ?? 0) : null;
    if (takesStock && slot === null) return { ok: false, reason: 'out_of_stock' };
    const charges = request.spends && charge > 0;
    const totalPlan =
      charges && limits.budgetTotal !== null
        ? pools.budget.plan(charge, limits.budgetTotal, this.freeRangeScan)
        : null;
    if (charges && limits.budgetTotal !== null && totalPlan === null)
      return { ok: false, reason: 'budget_exhausted' };
    const dailyPlan =
      charges && limits.budgetDaily !== null
        ? dailyPool.plan(charge, limits.budgetDaily, this.freeRangeScan)
        : null;
    if (charges && limits.budgetDaily !== null && dailyPlan === null)
      return { ok: false, reason: 'budget_exhausted' };

    if (slot !== null) {
      stockPool.take(slot);
      pools.stock.set(request.rewardId, stockPool);
    }
    const budgetRange: Range | null = totalPlan === null ? null : pools.budget.take(totalPlan, charge);
    let dailyRange: Range | null = null;
    if (dailyPlan !== null) {
      dailyRange = dailyPool.take(dailyPlan, charge);
      pools.daily.set(request.businessDate, dailyPool);
    }
    this.bumpUser(campaignId, request.userId, request.businessDate, 1, request.userTtlMs ?? this.userTtlMs);

    const reservation: Reservation = {
      id: request.reservationId,
      campaignId,
      userId: request.userId,
      rewardId: request.rewardId,
      charge,
      businessDate: request.businessDate,
      stockSlot: slot,
      budgetRange,
      dailyRange,
      expiresAt: request.now + request.ttlMs,
    };
    const live = this.reservationsByCampaign.get(campaignId) ?? new Map<string, Reservation>();
    live.set(reservation.id, reservation);
    this.reservationsByCampaign.set(campaignId, live);
    return { ok: true, reservation: { ...reservation } };
  }

  async confirm(campaignId: string, reservationId: string): Promise<void> {
    this.reservationsByCampaign.get(campaignId)?.delete(reservationId);
  }

  async release(campaignId: string, reservationId: string): Promise<boolean> {
    const live = this.reservationsByCampaign.get(campaignId);
    const reservation = live?.get(reservationId);
    if (live === undefined || reservation === undefined) return false;
    const pools = this.campaigns.get(campaignId);
    if (pools !== undefined) {
      if (reservation.stockSlot !== null) pools.stock.get(reservation.rewardId)?.give(reservation.stockSlot);
      if (reservation.budgetRange !== null) pools.budget.give(...reservation.budgetRange);
      if (reservation.dailyRange !== null)
        pools.daily.get(reservation.businessDate)?.give(...reservation.dailyRange);
    }
    this.bumpUser(campaignId, reservation.userId, reservation.businessDate, -1, 0);
    live.delete(reservationId);
    return true;
  }

  async reservations(campaignId: string): Promise<Reservation[]> {
    const live = [...(this.reservationsByCampaign.get(campaignId)?.values() ?? [])];
    return live
      .sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => ({ ...r }));
  }

  async readCounters(campaignId: string): Promise<CampaignCounters | null> {
    const pools = this.campaigns.get(campaignId);
    if (pools === undefined) return null;
    const stock: CampaignCounters['stock'] = {};
    for (const [rewardId, pool] of pools.stock) stock[rewardId] = pool.snapshot();
    const daily: CampaignCounters['daily'] = {};
    for (const [date, pool] of pools.daily) daily[date] = pool.snapshot();
    return { stock, budget: pools.budget.snapshot(), daily };
  }

  async initialize(campaignId: string, counters: CampaignCounters, force = false): Promise<boolean> {
    const normalized = normalizeCounters(counters);
    if (this.campaigns.has(campaignId) && !force) return false;
    this.campaigns.set(campaignId, {
      stock: new Map(Object.entries(normalized.stock).map(([id, c]) => [id, new SlotPool(c)])),
      budget: new RangePool(normalized.budget),
      daily: new Map(Object.entries(normalized.daily).map(([date, c]) => [date, new RangePool(c)])),
    });
    return true;
  }

  async invalidate(campaignId: string): Promise<void> {
    this.campaigns.delete(campaignId);
  }

  async readUser(campaignId: string, userId: string): Promise<UserCounters> {
    const user = this.getUser(campaignId, userId);
    return { total: user?.total ?? 0, daily: Object.fromEntries(user?.daily ?? []) };
  }

  async holdsUser(campaignId: string, userId: string): Promise<boolean> {
    return this.getUser(campaignId, userId) !== undefined;
  }

  async primeUser(campaignId: string, userId: string, counters: UserCounters, ttlMs?: number): Promise<void> {
    if (ttlMs !== undefined) assertTtl('primeUser: ttlMs', ttlMs);
    const daily = new Map(Object.entries(counters.daily));
    this.putUser(JSON.stringify([campaignId, userId]), {
      total: counters.total,
      daily,
      expiresAt: Date.now() + (ttlMs ?? this.userTtlMs),
    });
    this.noteWrite();
  }

  async close(): Promise<void> {}

  private getUser(campaignId: string, userId: string): UserEntry | undefined {
    const key = JSON.stringify([campaignId, userId]);
    const user = this.users.get(key);
    if (user !== undefined && user.expiresAt <= Date.now()) {
      this.users.delete(key);
      return undefined;
    }
    return user;
  }

  /**
   * +1 on reserve (creates the entry, kept `ttlMs` from now); -1 on release (never below 0, never recreates a
   * lost entry, leaves its expiry).
   */
  private bumpUser(
    campaignId: string,
    userId: string,
    businessDate: string,
    delta: 1 | -1,
    ttlMs: number,
  ): void {
    const key = JSON.stringify([campaignId, userId]);
    let user = this.getUser(campaignId, userId);
    if (user === undefined) {
      if (delta < 0) return;
      user = { total: 0, daily: new Map(), expiresAt: 0 };
    }
    user.total = Math.max(0, user.total + delta);
    const daily = user.daily.get(businessDate);
    if (daily !== undefined || delta > 0) user.daily.set(businessDate, Math.max(0, (daily ?? 0) + delta));
    if (delta > 0) {
      user.expiresAt = Date.now() + ttlMs;
      this.putUser(key, user);
    }
    this.noteWrite();
  }

  /** (Re)inserts at the end, so that `users` stays ordered by last write: the cap forgets the first. */
  private putUser(key: string, user: UserEntry): void {
    this.users.delete(key);
    this.users.set(key, user);
    while (this.users.size > this.maxUsers) {
      const oldest = this.users.keys().next();
      if (oldest.done === true) break;
      this.users.delete(oldest.value);
    }
  }

  private getExpiring(key: string): string | undefined {
    const entry = this.expiring.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.expiring.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private setExpiring(key: string, value: string, ttlMs: number): void {
    this.expiring.set(key, { value, expiresAt: Date.now() + ttlMs });
    this.noteWrite();
  }

  private noteWrite(): void {
    this.writes += 1;
    if (this.writes % SWEEP_EVERY !== 0) return;
    const now = Date.now();
    for (const [key, entry] of this.expiring) if (entry.expiresAt <= now) this.expiring.delete(key);
    // Users' TTLs differ by campaign (userCountersTtlMs), so last-write order is not expiry order: a cursor
    // walks a bounded slice per sweep and starts over at the end, so that every expired entry goes within a
    // pass (about maxUsers / SWEEP_SLICE sweeps) without walking every user each time.
    for (let i = 0; i < SWEEP_SLICE; i++) {
      const next = this.sweepCursor.next();
      if (next.done === true) {
        this.sweepCursor = this.users.entries();
        break;
      }
      const [key, user] = next.value;
      if (user.expiresAt <= now) this.users.delete(key);
    }
  }
}
