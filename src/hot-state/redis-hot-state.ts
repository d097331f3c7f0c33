import type { Cluster, Redis } from 'ioredis';
import { freeLength, normalizeCounters } from './campaign-counters';
import type {
  AvailabilityRead,
  AvailabilitySnapshot,
  BeginInput,
  BeginResult,
  KeyState,
  CampaignCounters,
  EndInput,
  HotState,
  Reservation,
  ReserveRefusal,
  ReserveRequest,
  ReserveResult,
  UserCounters,
} from './hot-state';
import { keyStateOf } from './hot-state';
import { readEvictionWarning } from './eviction-policy';
import { HOT_STATE_DEFAULTS } from './hot-state-defaults';
import { retryWhileBusy, type BeginAttempt } from './lock-retry';
import { createRedisClient, type RedisClientOptions } from './redis-client';
import { encodeKeyPart, RedisKeys } from './redis-keys';
import { parseAvailability, parseCounters, parseReservation, parseUser } from './redis-replies';
import { defineRedisScripts, type RunScript } from './redis-scripts';
import { assertReserveRequest, assertTtl } from './reserve-request';

export interface RedisHotStateOptions {
  /** Prepended to every key (before the `{campaign}` hash tag). Default 'pocket:'. */
  keyPrefix?: string;
  userTtlMs?: number;
  freeRangeScan?: number;
  /** Used when the hot state creates its own client from a URL. */
  client?: RedisClientOptions;
}

function limitArg(limit: number | null): string {
  return limit === null ? '' : String(limit);
}

/**
 * The production hot state: every operation on several keys is one Lua script (one round trip, atomic), and all
 * keys of a campaign share its `{campaignId}` hash tag. Layout in redis-keys.ts, scripts in redis-*-scripts.ts.
 */
/** ARGV of the availability read: the date, then the rewards (LUA_READ_AVAILABILITY). */
function availabilityArgs(read: AvailabilityRead): string[] {
  return [encodeKeyPart(read.businessDate), ...read.rewardIds.map(encodeKeyPart)];
}

export class RedisHotState implements HotState {
  private readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly keys: RedisKeys;
  private readonly run: RunScript;
  private readonly userTtlMs: number;
  private readonly freeRangeScan: number;

  /** With a URL the hot state owns its client (and closes it); a client passed in stays the caller's. */
  constructor(client: Redis | Cluster | string, options: RedisHotStateOptions = {}) {
    this.ownsClient = typeof client === 'string';
    this.client = typeof client === 'string' ? createRedisClient(client, options.client) : client;
    this.keys = new RedisKeys(options.keyPrefix ?? 'pocket:');
    this.userTtlMs = options.userTtlMs ?? HOT_STATE_DEFAULTS.userTtlMs;
    this.freeRangeScan = options.freeRangeScan ?? HOT_STATE_DEFAULTS.freeRangeScan;
    this.run = defineRedisScripts(this.client);
  }

  begin(input: BeginInput): Promise<BeginResult> {
    const keys = this.sessionKeys(input);
    const args = this.beginArgs(input);
    return retryWhileBusy(
      async () => (await this.run('pocketHotBegin', keys, args)) as BeginAttempt,
      input.waitMs,
    );
  }

  async beginAndRead(
    input: BeginInput,
    read: AvailabilityRead,
  ): Promise<{ begun: BeginResult; availability: AvailabilitySnapshot }> {
    const keys = [...this.sessionKeys(input), ...this.availabilityKeys(input.campaignId, read.rewardIds)];
    const args = [...this.beginArgs(input), ...availabilityArgs(read)];
    let availability: AvailabilitySnapshot | undefined;
    const begun = await retryWhileBusy(async () => {
      const [result, ...counters] = (await this.run('pocketHotBegin', keys, args)) as [
        BeginAttempt,
        ...string[],
      ];
      availability = parseAvailability(counters, read.rewardIds);
      return result;
    }, input.waitMs);
    if (availability === undefined) throw new Error('beginAndRead: no attempt was made');
    return { begun, availability };
  }

  async keyState(
    input: Pick<BeginInput, 'campaignId' | 'userId' | 'idempotencyKey' | 'requestHash'>,
  ): Promise<KeyState> {
    const marker = await this.client.get(
      this.keys.idempotency(input.campaignId, input.userId, input.idempotencyKey),
    );
    return keyStateOf(marker, input.requestHash);
  }

  async end(input: EndInput): Promise<void> {
    const confirm = input.confirmReservationId ?? null;
    const keys = [
      ...this.sessionKeys(input),
      ...(confirm === null
        ? []
        : [this.keys.reservations(input.campaignId), this.keys.reservationExpiry(input.campaignId)]),
    ];
    await this.run('pocketHotEnd', keys, [
      input.lockToken,
      input.final ? '1' : '0',
      Math.max(1, input.doneTtlMs),
      ...(confirm === null ? [] : [confirm]),
    ]);
  }

  async availability(
    campaignId: string,
    rewardIds: readonly string[],
    businessDate: string,
  ): Promise<AvailabilitySnapshot> {
    const keys = this.availabilityKeys(campaignId, rewardIds);
    const reply = (await this.run(
      'pocketHotAvailability',
      keys,
      availabilityArgs({ rewardIds, businessDate }),
    )) as string[];
    return parseAvailability(reply, rewardIds);
  }

  private sessionKeys(input: Pick<BeginInput, 'campaignId' | 'userId' | 'idempotencyKey'>): string[] {
    return [
      this.keys.lock(input.campaignId, input.userId),
      this.keys.idempotency(input.campaignId, input.userId, input.idempotencyKey),
    ];
  }

  private beginArgs(input: BeginInput): Array<string | number> {
    return [input.lockToken, Math.max(1, input.lockTtlMs), Math.max(1, input.markerTtlMs), input.requestHash];
  }

  private availabilityKeys(campaignId: string, rewardIds: readonly string[]): string[] {
    return [this.keys.state(campaignId), ...rewardIds.map((r) => this.keys.stockFree(campaignId, r))];
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    assertReserveRequest(request);
    const { campaignId, limits } = request;
    const keys = [
      this.keys.state(campaignId),
      this.keys.stockFree(campaignId, request.rewardId),
      this.keys.budgetFree(campaignId),
      this.keys.dailyFree(campaignId, request.businessDate),
      this.keys.user(campaignId, request.userId),
      this.keys.reservations(campaignId),
      this.keys.reservationExpiry(campaignId),
    ];
    const args = [
      request.reservationId,
      encodeKeyPart(request.userId),
      encodeKeyPart(request.rewardId),
      encodeKeyPart(request.businessDate),
      request.charge,
      request.spends ? '1' : '0',
      limitArg(limits.stock),
      limitArg(limits.budgetTotal),
      limitArg(limits.budgetDaily),
      limitArg(limits.perUserTotal),
      limitArg(limits.perUserDaily),
      request.now + request.ttlMs,
      request.userTtlMs ?? this.userTtlMs,
      this.freeRangeScan,
    ];
    const [status, payload] = (await this.run('pocketHotReserve', keys, args)) as [string, string];
    if (status !== 'ok') return { ok: false, reason: payload as ReserveRefusal };
    return { ok: true, reservation: parseReservation(campaignId, request.reservationId, payload) };
  }

  async confirm(campaignId: string, reservationId: string): Promise<void> {
    const keys = [this.keys.reservations(campaignId), this.keys.reservationExpiry(campaignId)];
    await this.run('pocketHotConfirm', keys, [reservationId]);
  }

  async release(campaignId: string, reservationId: string): Promise<boolean> {
    const keys = [
      this.keys.state(campaignId),
      this.keys.reservations(campaignId),
      this.keys.reservationExpiry(campaignId),
    ];
    return (await this.run('pocketHotRelease', keys, [reservationId, this.keys.base(campaignId)])) === 1;
  }

  async reservations(campaignId: string): Promise<Reservation[]> {
    const keys = [this.keys.reservations(campaignId), this.keys.reservationExpiry(campaignId)];
    const reply = (await this.run('pocketHotReservations', keys, [])) as string[];
    const out: Reservation[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      out.push(parseReservation(campaignId, reply[i] as string, reply[i + 1] as string));
    }
    return out;
  }

  async readCounters(campaignId: string): Promise<CampaignCounters | null> {
    const reply = await this.run(
      'pocketHotReadCounters',
      [this.keys.state(campaignId)],
      [this.keys.base(campaignId)],
    );
    return parseCounters(reply as Parameters<typeof parseCounters>[0]);
  }

  async initialize(campaignId: string, counters: CampaignCounters, force = false): Promise<boolean> {
    const c = normalizeCounters(counters);
    const flatRanges = (free: CampaignCounters['budget']['free']): string[] =>
      free.flatMap(([start, end]) => [String(start), String(end)]);
    const payload = {
      stock: Object.entries(c.stock).map(([r, s]) => [
        encodeKeyPart(r),
        String(s.top),
        ...s.free.map(String),
      ]),
      budget: [String(c.budget.top), String(freeLength(c.budget.free)), ...flatRanges(c.budget.free)],
      daily: Object.entries(c.daily).map(([d, s]) => [
        encodeKeyPart(d),
        String(s.top),
        String(freeLength(s.free)),
        ...flatRanges(s.free),
      ]),
    };
    const args = [force ? '1' : '0', this.keys.base(campaignId), JSON.stringify(payload)];
    return (await this.run('pocketHotInitialize', [this.keys.state(campaignId)], args)) === 1;
  }

  async invalidate(campaignId: string): Promise<void> {
    await this.run('pocketHotInvalidate', [this.keys.state(campaignId)], [this.keys.base(campaignId)]);
  }

  async readUser(campaignId: string, userId: string): Promise<UserCounters> {
    return parseUser(await this.client.hgetall(this.keys.user(campaignId, userId)));
  }

  async holdsUser(campaignId: string, userId: string): Promise<boolean> {
    return (await this.client.exists(this.keys.user(campaignId, userId))) === 1;
  }

  async primeUser(campaignId: string, userId: string, counters: UserCounters, ttlMs?: number): Promise<void> {
    if (ttlMs !== undefined) assertTtl('primeUser: ttlMs', ttlMs);
    const daily = Object.entries(counters.daily).flatMap(([date, n]) => [encodeKeyPart(date), n]);
    await this.run(
      'pocketHotPrimeUser',
      [this.keys.user(campaignId, userId)],
      [ttlMs ?? this.userTtlMs, counters.total, ...daily],
    );
  }

  async ready(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.client.once('ready', done);
    });
  }

  async configurationWarnings(): Promise<string[]> {
    const warning = await readEvictionWarning(this.client);
    return warning === null ? [] : [warning];
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
