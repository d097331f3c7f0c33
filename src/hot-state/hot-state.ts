/**
 * Hot state: the fast gate in front of the ledger (DESIGN.md "Redis is the gate; the ledger is the fence").
 * One interface, two implementations: RedisHotState (ioredis + Lua, one round trip per call) and
 * MemoryHotState (one process only, the embedded default). Both pass
 * test/integration/hot-state/hot-state-contract.test.ts.
 *
 * Counted resources and their hot representation, per campaign:
 * - stock per reward: a top slot number plus a set of released slots; a reservation takes a released slot
 *   first, else top+1 while top < stock. The slot number goes to the ledger (unique (campaign, reward, slot),
 *   slot <= stock).
 * - budget (total, and daily per business date): a cumulative offset plus released ranges; a reservation of
 *   charge c takes a range [start, start + c) from a released range that fits, else [top, top + c) while
 *   top + c <= limit. The ledger refuses overlapping ranges and end > limit.
 * - per-user total and daily counts: plain counters (the ledger derives its own per-user sequence).
 * All keys of one campaign share the `{campaignId}` hash tag, so Redis Cluster works unchanged.
 */

export interface ReserveLimits {
  /** Reward stock; null = unlimited or not counted (consolation). */
  stock: number | null;
  budgetTotal: number | null;
  budgetDaily: number | null;
  perUserTotal: number | null;
  perUserDaily: number | null;
}

export interface ReserveRequest {
  campaignId: string;
  /** Caller-generated, unique; release/confirm are idempotent by this id. */
  reservationId: string;
  userId: string;
  rewardId: string;
  /** Budget charge in minor units; 0 takes no budget range. */
  charge: number;
  /** False for testers: per-user counts only, no stock or budget. */
  spends: boolean;
  businessDate: string;
  /** Limits from the pinned campaign version snapshot. */
  limits: ReserveLimits;
  ttlMs: number;
  now: number;
  /** How long the user's counts are kept after this reserve (userCountersTtlMs); absent: the default, 45 days. */
  userTtlMs?: number;
}

export type Range = readonly [start: number, end: number];

export interface Reservation {
  id: string;
  campaignId: string;
  userId: string;
  rewardId: string;
  charge: number;
  businessDate: string;
  stockSlot: number | null;
  budgetRange: Range | null;
  dailyRange: Range | null;
  /** Epoch ms after which reconciliation may settle it. */
  expiresAt: number;
}

export type ReserveRefusal = 'uninitialized' | 'limit_reached' | 'out_of_stock' | 'budget_exhausted';

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; reason: ReserveRefusal };

/** What the ledger says a campaign has used; written by a rebuild, compared by reconciliation. */
export interface CampaignCounters {
  /** Per reward: the highest slot in use and the free slots below it. */
  stock: Record<string, { top: number; free: number[] }>;
  budget: { top: number; free: Range[] };
  /** Per business date. */
  daily: Record<string, { top: number; free: Range[] }>;
}

export interface UserCounters {
  total: number;
  /** Per business date. */
  daily: Record<string, number>;
}

/** What the reward choice needs to know before reserving (a read, not a promise). */
export interface AvailabilitySnapshot {
  initialized: boolean;
  /** Per reward: slots in use (top - free.length); absent = none used yet. */
  stockUsed: Record<string, number>;
  spent: number;
  dailySpent: number;
}

export type BeginResult = 'ok' | 'in_flight' | 'mismatch' | 'done' | 'user_busy';

/** What an idempotency key's marker says: nothing (`free`), running with this body or another, or just done. */
export type KeyState = 'free' | 'in_flight' | 'mismatch' | 'done';

/**
 * The marker's value read as `begin` reads it: `done`, `in_flight:<request hash>`, or a bare `in_flight` a version
 * before markers held the hash wrote (a rolling deploy: the same request, for all it says).
 */
export function keyStateOf(marker: string | null | undefined, requestHash: string): KeyState {
  if (marker === null || marker === undefined) return 'free';
  if (marker === 'done') return 'done';
  return marker === 'in_flight' || marker === `in_flight:${requestHash}` ? 'in_flight' : 'mismatch';
}

export interface BeginInput {
  campaignId: string;
  userId: string;
  idempotencyKey: string;
  /** The request body's hash: the same key sent with another body while it runs is told 'mismatch'. */
  requestHash: string;
  lockToken: string;
  lockTtlMs: number;
  markerTtlMs: number;
  waitMs: number;
}

export interface EndInput {
  campaignId: string;
  userId: string;
  idempotencyKey: string;
  lockToken: string;
  final: boolean;
  doneTtlMs: number;
  /** A reservation the ledger committed: confirmed (as `confirm`) in the same call. */
  confirmReservationId?: string | null;
}

/** What the reward choice reads before reserving: the campaign's rewards on the request's business date. */
export interface AvailabilityRead {
  rewardIds: readonly string[];
  businessDate: string;
}

export interface HotState {
  /**
   * Per-user lock (SET NX PX with a token) and the idempotency in-flight marker, set together atomically.
   * Retries for up to `waitMs` (about 200 ms) while the user's lock is busy.
   * 'in_flight': the same key is being executed; 'mismatch': it is being executed with another body;
   * 'done': the same key finished recently (replay from ledger).
   */
  begin(input: BeginInput): Promise<BeginResult>;
  /**
   * `begin`, and in the same round trip (Redis: the same script) the `availability` the reward choice reads:
   * a read, not a promise (the reserve checks again), taken with the last attempt whatever its result.
   */
  beginAndRead(
    input: BeginInput,
    read: AvailabilityRead,
  ): Promise<{ begun: BeginResult; availability: AvailabilitySnapshot }>;
  /**
   * The key's marker, read without taking anything: for an answer decided before the lock (a campaign that is not
   * live, a 403), which must not be stored under a key another request is still running.
   */
  keyState(
    input: Pick<BeginInput, 'campaignId' | 'userId' | 'idempotencyKey' | 'requestHash'>,
  ): Promise<KeyState>;
  /**
   * Compare-and-delete of the lock; marks the key done (final answer) or clears it (transient answer); and
   * confirms `confirmReservationId` when given.
   */
  end(input: EndInput): Promise<void>;

  availability(
    campaignId: string,
    rewardIds: readonly string[],
    businessDate: string,
  ): Promise<AvailabilitySnapshot>;
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** After the ledger committed: forget the reservation, keep the counters. Idempotent. */
  confirm(campaignId: string, reservationId: string): Promise<void>;
  /** After a definite rollback: give everything back. Idempotent: a second call changes nothing. */
  release(campaignId: string, reservationId: string): Promise<boolean>;

  /** Live (unconfirmed, unreleased) reservations, including expired ones not yet settled. */
  reservations(campaignId: string): Promise<Reservation[]>;

  /** Campaign counters as the hot state holds them; null when uninitialized. */
  readCounters(campaignId: string): Promise<CampaignCounters | null>;
  /** Rebuild from the ledger (+ live reservations). Only writes when uninitialized unless `force`. */
  initialize(campaignId: string, counters: CampaignCounters, force?: boolean): Promise<boolean>;
  /** Forget the campaign counters so the next reserve reports 'uninitialized'. */
  invalidate(campaignId: string): Promise<void>;
  readUser(campaignId: string, userId: string): Promise<UserCounters>;
  /**
   * Whether the hot state holds counts for this user at all: false before the user's first reserve, and after
   * the store lost them (a Redis or embedded restart), where readUser reads zeros.
   */
  holdsUser(campaignId: string, userId: string): Promise<boolean>;
  /**
   * Set a user's counters from the ledger (after the ledger's fence refused a stale gate), kept for `ttlMs`
   * (userCountersTtlMs; absent: the default, 45 days).
   */
  primeUser(campaignId: string, userId: string, counters: UserCounters, ttlMs?: number): Promise<void>;

  /**
   * Resolves once commands can be sent (a Redis client has connected), or after `timeoutMs` regardless: the boot
   * waits for it so that its first counter rebuilds do not fail on a connection still being made.
   */
  ready?(timeoutMs: number): Promise<void>;

  /** What an operator should fix in the hot state's own configuration (logged at boot); none by default. */
  configurationWarnings?(): Promise<string[]>;

  close(): Promise<void>;
}
