/**
 * Shared pieces of the participation invariant suites (DESIGN.md "Invariants"): fixture campaigns written to a
 * temporary definitions root, a pocket listening on a real port, a keep-alive HTTP client that sends hundreds
 * of requests at once over a bounded number of sockets, and ledger / hot-state readers for the assertions.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeCounters } from '../../../src/hot-state/campaign-counters';
import type { CampaignCounters, Reservation } from '../../../src/hot-state/hot-state';
import type { Db } from '../../../src/ledger/db';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { mergeCounters } from '../../../src/reconciliation/merge-counters';
import {
  expectedUserCounters,
  sameUserCounters,
  type UserDrift,
} from '../../../src/reconciliation/user-counter-diff';
import type { Pocket, PocketOverrides } from '../../../src/server';
import type { Config } from '../../../src/config';
import {
  createBackends,
  createTestPocket,
  removeDir,
  type Backend,
  type TestBackends,
} from '../../helpers/pocket';

/** How long one invariant test may take (jest's default for the project is 30 s). */
const INVARIANT_TEST_TIMEOUT_MS = 120_000;

/** Every fixture campaign runs on 11 November 2026 (Asia/Shanghai), from midnight to midnight two days later. */
export const DAY_ONE = new Date('2026-11-11T10:00:00+08:00');
export const DAY_TWO = new Date('2026-11-12T10:00:00+08:00');
export const DAY_ONE_DATE = '2026-11-11';
export const DAY_TWO_DATE = '2026-11-12';

/** A campaign YAML with the fields every fixture shares; `body` adds limits, budget, rewards, segments, decision. */
function campaignYaml(id: string, body: string): string {
  return [
    `id: ${id}`,
    `name: ${id}`,
    'owner: invariant-tests',
    'status: active',
    'window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }',
    'timezone: Asia/Shanghai',
    'entry: { activityCode: none, channels: [app] }',
    body.trim(),
    '',
  ].join('\n');
}

/** Writes `campaigns/<id>.yaml` for each campaign into a fresh directory; the caller removes it. */
function writeDefinitions(campaigns: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-invariants-'));
  mkdirSync(join(root, 'campaigns'));
  for (const [id, body] of Object.entries(campaigns)) writeCampaign(root, id, body);
  return root;
}

/** (Re)writes one campaign of a definitions root, as an operator's edit before a publish. */
export function writeCampaign(root: string, id: string, body: string): void {
  writeFileSync(join(root, 'campaigns', `${id}.yaml`), campaignYaml(id, body));
}

/** `promise`, or a rejection naming `what` once `ms` have passed: nothing a test waits for may hang. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A clock the test moves (the next business day), shared by every instance of a test. */
export class TestClock {
  constructor(private current: Date = DAY_ONE) {}
  readonly now = (): Date => this.current;
  set(at: Date): void {
    this.current = at;
  }
}

export interface Reply {
  status: number;
  /** The exact body bytes. */
  text: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface Participation {
  userId: string;
  key: string;
  context?: Record<string, unknown>;
}

class ConnectionReset extends Error {
  constructor(readonly reset: Error) {
    super(reset.message);
  }
}

const RESET_RETRIES = 3;

/** A pocket on a real port with a keep-alive client of at most `sockets` connections. */
export class LiveServer {
  private readonly agent: Agent;

  private constructor(
    readonly pocket: Pocket,
    private readonly server: Server,
    readonly port: number,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  static async start(pocket: Pocket, sockets = 32): Promise<LiveServer> {
    const server = await new Promise<Server>((resolve) => {
      const s = pocket.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    // No idle timeout on the server's side. The agent below never expires an idle socket (Node 20 ignores the
    // server's Keep-Alive hint when the agent has no timeout of its own), so a socket left idle for the server's
    // keep-alive timeout (5 s, plus Node's 1 s buffer) could be reused in the very turn the server closes it: the
    // request then fails with "read ECONNRESET". The ledger reads a test makes between two bursts take that long
    // on a busy host. close() ends every connection.
    server.keepAliveTimeout = 0;
    return new LiveServer(pocket, server, (server.address() as AddressInfo).port, sockets);
  }

  /**
   * One participation. A request whose connection was reset before any answer is sent again (at most
   * RESET_RETRIES times), as a client of the service would: it may have been answered or not, and the same
   * idempotency key replays the answer or executes it once (invariant 3). CI's busy host, three jest workers on two
   * cores, saw such a reset in about one run of two among a thousand parallel requests; resending only on a reused
   * socket did not cover it, and its cause was not found.
   */
  async participate(campaignId: string, p: Participation): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(campaignId, p);
      } catch (err) {
        if (!(err instanceof ConnectionReset) || attempt >= RESET_RETRIES) throw err;
      }
    }
  }

  private send(campaignId: string, p: Participation): Promise<Reply> {
    const payload = JSON.stringify({ userId: p.userId, context: p.context ?? { channel: 'app' } });
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: `/v1/campaigns/${campaignId}/participations`,
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'idempotency-key': p.key,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              text,
              body: JSON.parse(text) as Record<string, unknown>,
              headers: res.headers,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ECONNRESET' ? new ConnectionReset(err) : err),
      );
      req.end(payload);
    });
  }

  /** All at once (the agent queues them over its sockets), in the order given. */
  all(campaignId: string, participations: readonly Participation[]): Promise<Reply[]> {
    return Promise.all(participations.map((p) => this.participate(campaignId, p)));
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `outcome` of a 200/201 answer, `error.code` of any other. */
export function outcomeOf(reply: Reply): string {
  if (reply.status === 200 || reply.status === 201) return String(reply.body['outcome']);
  const error = reply.body['error'] as { code?: unknown } | undefined;
  return `${reply.status}:${String(error?.code)}`;
}

export function tally(replies: readonly Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const o = outcomeOf(r);
    out[o] = (out[o] ?? 0) + 1;
  }
  return out;
}

export interface GrantView {
  id: string;
  rewardId: string;
  type: string;
  amount: number;
  charge: number;
  test: boolean;
  /** The budget's currency of the version that granted; null without a budget. */
  currency: string | null;
}

export function grantOf(reply: Reply): GrantView {
  if (reply.status !== 201) throw new Error(`not a grant: ${reply.status} ${reply.text}`);
  return reply.body['grant'] as GrantView;
}

export interface GrantRow {
  id: string;
  user_id: string;
  reward_id: string;
  amount: number;
  charge: number;
  business_date: string;
  test: boolean;
  status: string;
  campaign_version: number;
  stock_slot: number | null;
  stock_limit: number | null;
  budget_start: number | null;
  budget_end: number | null;
  budget_limit: number | null;
  daily_start: number | null;
  daily_end: number | null;
  daily_limit: number | null;
  user_seq: number | null;
  user_limit: number | null;
  daily_seq: number | null;
  daily_user_limit: number | null;
}

const GRANT_COLUMNS = [
  'id',
  'user_id',
  'reward_id',
  'amount',
  'charge',
  'business_date',
  'test',
  'status',
  'campaign_version',
  'stock_slot',
  'stock_limit',
  'budget_start',
  'budget_end',
  'budget_limit',
  'daily_start',
  'daily_end',
  'daily_limit',
  'user_seq',
  'user_limit',
  'daily_seq',
  'daily_user_limit',
];

/** The campaign's grants as the ledger holds them (numbers and booleans on both engines). */
export async function ledgerGrants(db: Db, campaignId: string): Promise<GrantRow[]> {
  const rows = await db('grants').where({ campaign_id: campaignId }).select(GRANT_COLUMNS).orderBy('id');
  return (rows as Array<Record<string, unknown>>).map((r) => {
    const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return {
      id: String(r.id),
      user_id: String(r.user_id),
      reward_id: String(r.reward_id),
      amount: Number(r.amount),
      charge: Number(r.charge),
      business_date: String(r.business_date),
      test: r.test === true || r.test === 1,
      status: String(r.status),
      campaign_version: Number(r.campaign_version),
      stock_slot: n(r.stock_slot),
      stock_limit: n(r.stock_limit),
      budget_start: n(r.budget_start),
      budget_end: n(r.budget_end),
      budget_limit: n(r.budget_limit),
      daily_start: n(r.daily_start),
      daily_end: n(r.daily_end),
      daily_limit: n(r.daily_limit),
      user_seq: n(r.user_seq),
      user_limit: n(r.user_limit),
      daily_seq: n(r.daily_seq),
      daily_user_limit: n(r.daily_user_limit),
    };
  });
}

export async function participationCount(
  db: Db,
  where: { campaign_id: string; user_id?: string; idem_key?: string },
): Promise<number> {
  const row = await db('participations').where(where).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

const grantStore = new KnexGrantStore();

/** Counters in one canonical form: normalized, without empty entries (a pool emptied by a release). */
function canonical(counters: CampaignCounters): CampaignCounters {
  const c = normalizeCounters(counters);
  const nonEmpty = <T extends { top: number; free: readonly unknown[] }>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v.top > 0 || v.free.length > 0));
  return { stock: nonEmpty(c.stock), budget: c.budget, daily: nonEmpty(c.daily) };
}

/**
 * DESIGN.md "repair counts ledger + live reservations": what the hot state holds, and what the ledger plus
 * the live reservations imply, in the same canonical form.
 */
export async function hotAndLedgerCounters(
  pocket: Pocket,
  campaignId: string,
): Promise<{ hot: CampaignCounters | null; ledger: CampaignCounters }> {
  const [hot, fromLedger, reservations] = await Promise.all([
    pocket.hotState.readCounters(campaignId),
    grantStore.campaignCounters(pocket.db, campaignId),
    pocket.hotState.reservations(campaignId),
  ]);
  return {
    hot: hot === null ? null : canonical(hot),
    ledger: canonical(mergeCounters(fromLedger, reservations)),
  };
}

/**
 * The same for per-user counts: the users among `userIds` whose hot counts differ from their ledger grants plus
 * their live reservations without a grant.
 */
export async function userCounterDrift(
  pocket: Pocket,
  campaignId: string,
  userIds: readonly string[],
): Promise<UserDrift[]> {
  const reservations = await pocket.hotState.reservations(campaignId);
  const drift: UserDrift[] = [];
  for (const userId of userIds) {
    const pending: Reservation[] = [];
    for (const r of reservations) {
      if (r.userId === userId && (await grantStore.findByReservation(pocket.db, r.id)) === null)
        pending.push(r);
    }
    const [hot, counted] = await Promise.all([
      pocket.hotState.readUser(campaignId, userId),
      grantStore.userCounters(pocket.db, campaignId, userId),
    ]);
    const expected = expectedUserCounters(counted, pending, userId);
    if (!sameUserCounters(hot, expected)) drift.push({ userId, hot, expected });
  }
  return drift;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Users u-<prefix>-0 … u-<prefix>-(n-1), each with its own key. */
export function distinctUsers(prefix: string, n: number, from = 0): Participation[] {
  return Array.from({ length: n }, (_, i) => ({
    userId: `u-${prefix}-${from + i}`,
    key: `k-${prefix}-${from + i}`,
  }));
}

export interface PocketSet {
  root: string;
  clock: TestClock;
  /** One or more service instances over the same ledger and hot state. */
  servers: LiveServer[];
  close(): Promise<void>;
}

/** `instances` pockets over `backends`, each on its own port, sharing one definitions root and one clock. */
export async function startPockets(
  backends: TestBackends,
  campaigns: Record<string, string>,
  opts: { instances?: number; overrides?: PocketOverrides & { config?: Partial<Config> } } = {},
): Promise<PocketSet> {
  const root = writeDefinitions(campaigns);
  const clock = new TestClock();
  const servers: LiveServer[] = [];
  for (let i = 0; i < (opts.instances ?? 1); i++) {
    const pocket = await createTestPocket(backends, {
      clock: clock.now,
      ...opts.overrides,
      config: { definitionsRoot: root, ...opts.overrides?.config },
    });
    servers.push(await LiveServer.start(pocket));
  }
  return {
    root,
    clock,
    servers,
    async close() {
      for (const s of servers) {
        await s.close();
        await s.pocket.close();
      }
      removeDir(root);
    },
  };
}

export interface LivePockets {
  readonly backends: TestBackends;
  readonly set: PocketSet;
  /** The first instance. */
  readonly server: LiveServer;
}

/**
 * A suite's pockets: registers beforeAll (backends of `backend`, then startPockets over them) and afterAll
 * (close both). Read the fields inside tests and hooks, once the suite has started.
 */
export function usePockets(
  backend: Backend,
  campaigns: Record<string, string>,
  opts: Parameters<typeof startPockets>[2] = {},
): LivePockets {
  // A test here sends up to a couple of thousand participations at once through a real pocket: about 5-10 s
  // alone on a slow 2-core host, several times that while the other jest worker runs a CLI suite (child
  // processes). The assertions decide; the timeout only has to outlast a slow machine.
  jest.setTimeout(INVARIANT_TEST_TIMEOUT_MS);
  let backends: TestBackends | undefined;
  let set: PocketSet | undefined;
  beforeAll(async () => {
    backends = await createBackends(backend);
    set = await startPockets(backends, campaigns, opts);
  });
  afterAll(async () => {
    await set?.close();
    await backends?.destroy();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('usePockets: read inside a test or hook, after beforeAll');
    return value;
  };
  return {
    get backends() {
      return started(backends);
    },
    get set() {
      return started(set);
    },
    get server() {
      return started(started(set).servers[0]);
    },
  };
}

/**
 * Retries one participation while it answers 503 (the hot state rebuilding from the ledger), for at most
 * `deadlineMs`. A deadline, not a number of attempts: a rebuild reads the ledger, which takes several times as long
 * on a busy host, and 100 attempts 20 ms apart gave it about 2 s. The deadline matters only when the service
 * never recovers.
 */
export async function untilServed(
  server: LiveServer,
  campaignId: string,
  p: Participation,
  deadlineMs = 20_000,
): Promise<{ reply: Reply; unavailable: number }> {
  const deadline = Date.now() + deadlineMs;
  let unavailable = 0;
  for (;;) {
    const reply = await server.participate(campaignId, p);
    if (reply.status !== 503) return { reply, unavailable };
    unavailable += 1;
    if (Date.now() > deadline)
      throw new Error(`${campaignId}: still 503 after ${unavailable} attempts in ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
