/**
 * `pocket serve` killed with SIGKILL in the middle of a burst of parallel participations (a crash, an OOM kill: no
 * shutdown), then started again, as a process manager does, while every client retries with the same
 * Idempotency-Key until it gets a final answer. The integration suites prove the invariants in one process (a lost
 * hot state, a ledger failing or going silent, two instances); here the process itself dies with grant batches
 * written or in flight and reservations taken but never confirmed:
 * - a key answered before the kill replays its answer byte for byte; every key has executed exactly once, and the
 *   answer it finally gets is the one the ledger stored; every 201 names a grant the ledger holds;
 * - stock slots are unique and under the stock, per-user limits hold;
 * - on PostgreSQL + Redis the killed process's reservations outlive it; once their TTL has passed (a clock 61 s
 *   ahead) real-time reconciliation settles each by the ledger, and the hot counters then equal the ledger's;
 *   on the embedded pair the in-memory counters died with the process and the restart rebuilt them from the ledger;
 * - either way, the rest of the stock is then given out to the last slot: nothing leaked, nothing over-issued.
 *
 * The per-user limit is above what one user sends: a reservation of the killed process that never committed keeps
 * its user's count up until reconciliation settles it (README "When the fence refuses": 409 `user_busy` below the
 * limit), and settling takes the reservation TTL (60 s), longer than this suite may wait.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../../src/ledger/db';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { normalizeCounters } from '../../../src/hot-state/campaign-counters';
import { RedisHotState } from '../../../src/hot-state/redis-hot-state';
import { silentLogger } from '../../../src/observability/logger';
import { mergeCounters } from '../../../src/reconciliation/merge-counters';
import { createPocket } from '../../../src/server';
import { ownSchema, type OwnSchema } from '../../helpers/ledger';
import { startOwnRedis, type OwnRedis } from '../../helpers/own-redis';
import { testConfig } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';
import { startServe, type ServeProcess } from './run-pocket';

// Generous: every wait below ends as soon as what it waits for happens; a slow host only needs them to outlast it.
jest.setTimeout(90_000);

const CAMPAIGN = 'sigkill-sale';
const STOCK = { rp: 30, coupon: 20 };
const USERS = 150;
/** Users who send their key twice at once (a client's retry racing the original). */
const TWINS = 30;
const KILL_AFTER = 40;
const FINAL = new Set([200, 201, 403]);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DAY = 86_400_000;
function campaignYaml(): string {
  return [
    `id: ${CAMPAIGN}`,
    'name: Killed sale',
    'owner: tests',
    'status: active',
    `window: { start: ${new Date(Date.now() - DAY).toISOString()}, end: ${new Date(Date.now() + DAY).toISOString()} }`,
    'timezone: UTC',
    'entry: { activityCode: none, channels: [app] }',
    'limits: { perUser: { total: 3, daily: 3 } }',
    'budget: { currency: CNY, total: 10000000, daily: 10000000 }',
    'rewards:',
    `  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 150 }, stock: ${STOCK.rp} }`,
    `  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: ${STOCK.coupon} }`,
    '  - { id: thanks, type: none, name: Thanks }',
    'segments:',
    '  - id: everyone',
    '    rewards: [{ reward: rp, weight: 1 }, { reward: coupon, weight: 1 }]',
    'decision: { strategy: weighted, fallback: thanks }',
    '',
  ].join('\n');
}

interface Reply {
  status: number;
  text: string;
  replayed: boolean;
}

interface Setup {
  env: Record<string, string | undefined>;
  db: Db;
  /** PostgreSQL + Redis: the Redis URL the service uses (its reservations and counters outlive it). */
  redisUrl: string | null;
}

function scenario(setup: () => Setup): void {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const serve = (): Promise<ServeProcess> => startServe(setup().env, (child) => children.push(child));

  /** One POST; a connection the killed process dropped is status 0. */
  async function participate(url: string, userId: string, key: string): Promise<Reply> {
    try {
      const response = await fetch(`${url}/v1/campaigns/${CAMPAIGN}/participations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ userId, context: { channel: 'app' } }),
        signal: AbortSignal.timeout(15_000),
      });
      return {
        status: response.status,
        text: await response.text(),
        replayed: response.headers.get('idempotent-replayed') === 'true',
      };
    } catch {
      return { status: 0, text: '', replayed: false };
    }
  }

  /** Sends again with the same key until a final answer (409 and 503 are transient); the deadline ends a failure. */
  async function untilFinal(url: string, userId: string, key: string): Promise<Reply> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const reply = await participate(url, userId, key);
      if (FINAL.has(reply.status)) return reply;
      if (Date.now() > deadline) throw new Error(`${userId}/${key}: still ${reply.status} ${reply.text}`);
      await sleep(100 + Math.random() * 150);
    }
  }

  const grantIdOf = (reply: Reply): string | null =>
    reply.status === 201 ? (JSON.parse(reply.text) as { grant: { id: string } }).grant.id : null;
  const rewardOf = (reply: Reply): string | null =>
    reply.status === 201 ? (JSON.parse(reply.text) as { grant: { rewardId: string } }).grant.rewardId : null;

  it('replays what was answered, executes the rest once, and loses or over-issues no stock', async () => {
    const { db } = setup();
    const first = await serve();

    // The burst: every user one key, the twins theirs twice at once; killed once KILL_AFTER answers are back.
    const keys = Array.from({ length: USERS }, (_, i) => ({ userId: `user-${i}`, key: `key-${i}` }));
    const sends = [...keys, ...keys.slice(0, TWINS)];
    const before = new Map<string, Reply[]>();
    let answered = 0;
    await Promise.all(
      sends.map(async ({ userId, key }) => {
        const reply = await participate(first.url, userId, key);
        before.set(key, [...(before.get(key) ?? []), reply]);
        if ((answered += 1) === KILL_AFTER) first.child.kill('SIGKILL');
      }),
    );
    await first.exited;
    // The kill landed in the middle: some requests never heard an answer. (Most runs also see tens of final answers
    // before it; a host too busy for the ledger's 2 s wait may answer those first ones 503 instead.)
    expect([...before.values()].flat().some((r) => r.status === 0)).toBe(true);

    // Started again; every client retries its key until it hears a final answer.
    const second = await serve();
    const after = new Map<string, Reply>();
    await Promise.all(
      keys.map(async ({ userId, key }) => after.set(key, await untilFinal(second.url, userId, key))),
    );

    const problems: string[] = [];
    const participations = (await db('participations').where({ campaign_id: CAMPAIGN })) as Array<{
      idem_key: string;
      response: string;
    }>;
    const grants = (await db('grants').where({ campaign_id: CAMPAIGN })) as Array<{
      id: string;
      user_id: string;
      reward_id: string;
      stock_slot: number | null;
    }>;
    for (const { key } of keys) {
      const answer = after.get(key) as Reply;
      // Answered before the kill: the same bytes again, as a replay.
      for (const earlier of before.get(key) ?? []) {
        if (FINAL.has(earlier.status) && (earlier.text !== answer.text || !answer.replayed))
          problems.push(`${key}: answered ${earlier.text} before the kill, ${answer.text} after`);
      }
      // Executed once, and the answer is the stored one.
      const stored = participations.filter((p) => p.idem_key === key);
      if (stored.length !== 1 || stored[0]?.response !== answer.text)
        problems.push(`${key}: ${stored.length} participations for the answer ${answer.text}`);
      const grantId = grantIdOf(answer);
      if (grantId !== null && !grants.some((g) => g.id === grantId))
        problems.push(`${key}: grant ${grantId} missing`);
    }
    expect(problems).toEqual([]);
    expect(grants).toHaveLength([...after.values()].filter((r) => r.status === 201).length);
    for (const reward of ['rp', 'coupon'] as const) {
      const slots = grants.filter((g) => g.reward_id === reward).map((g) => Number(g.stock_slot));
      expect(new Set(slots).size).toBe(slots.length);
      expect(slots.every((s) => s >= 1 && s <= STOCK[reward])).toBe(true);
    }

    // PostgreSQL + Redis: the killed process's reservations are still in Redis. Once their TTL has passed, real-time
    // reconciliation settles them by the ledger, and the hot counters are exactly the ledger's.
    const { redisUrl } = setup();
    if (redisUrl !== null) await settleAndCompare(setup(), redisUrl);

    // The rest of the stock goes to new users, to the last slot: the restarted gate neither lost nor invented any.
    for (let round = 0; ; round++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          untilFinal(second.url, `drain-${round}-${i}`, `drain-${round}-${i}`),
        ),
      );
      if (replies.every((r) => rewardOf(r) === 'thanks')) break;
      if (round > (STOCK.rp + STOCK.coupon) / 5) throw new Error('the stock never ran out');
    }
    const given = (await db('grants').where({ campaign_id: CAMPAIGN }).select('reward_id')) as Array<{
      reward_id: string;
    }>;
    expect(given.filter((g) => g.reward_id === 'rp')).toHaveLength(STOCK.rp);
    expect(given.filter((g) => g.reward_id === 'coupon')).toHaveLength(STOCK.coupon);

    second.child.kill('SIGTERM');
    await second.exited;
  });
}

/** Real-time reconciliation in this process, with a clock past the reservations' TTL, on the service's ledger. */
async function settleAndCompare(setup: Setup, redisUrl: string): Promise<void> {
  const hotState = new RedisHotState(redisUrl);
  const config = { ...testConfig({ POCKET_DEFINITIONS: String(setup.env['POCKET_DEFINITIONS']) }), redisUrl };
  const pocket = await createPocket(
    { ...config, publishOnStart: false },
    {
      db: setup.db,
      hotState,
      logger: silentLogger(),
      clock: () => new Date(Date.now() + 61_000),
      refreshMs: 3_600_000,
    },
  );
  try {
    await pocket.start();
    const realtime = pocket.delivery.realtime;
    if (!realtime) throw new Error('no real-time reconciler');
    const summary = await realtime.run();
    expect(summary.errors).toEqual([]);
    expect(await hotState.reservations(CAMPAIGN)).toEqual([]);
    const grants = new KnexGrantStore();
    const ledger = mergeCounters(await grants.campaignCounters(setup.db, CAMPAIGN), []);
    const hot = await hotState.readCounters(CAMPAIGN);
    expect(hot === null ? null : normalizeCounters(hot)).toEqual(normalizeCounters(ledger));
  } finally {
    await pocket.close();
  }
}

function definitions(dir: string): string {
  const root = join(dir, 'definitions');
  mkdirSync(join(root, 'campaigns'), { recursive: true });
  writeFileSync(join(root, 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml());
  return root;
}

/** What both backend pairs' services share: development mode, a free port, the suite's data and definitions. */
function serveEnv(dir: string): Record<string, string | undefined> {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: '0',
    POCKET_DATA_DIR: join(dir, 'data'),
    POCKET_DEFINITIONS: definitions(dir),
    RISK_URL: undefined,
    NOTIFY_URL: undefined,
  };
}

describeWithServices(['DATABASE_URL'], 'pocket serve killed mid-burst [postgres+redis]', () => {
  let dir: string;
  let schema: OwnSchema;
  let redis: OwnRedis;
  let current: Setup | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-sigkill-'));
    schema = await ownSchema('sigkill');
    // A redis-server of this suite's own: the service's keys have no per-test prefix.
    redis = await startOwnRedis();
    const redisUrl = `redis://127.0.0.1:${redis.port}/0`;
    current = {
      env: {
        ...serveEnv(dir),
        DATABASE_URL: schema.url,
        REDIS_URL: redisUrl,
        POCKET_WORKER: 'false',
      },
      db: createDb({ databaseUrl: schema.url, pool: { min: 0, max: 4 } }),
      redisUrl,
    };
  });
  // Declared first, so the killed processes' successors are gone before the ledger and Redis are.
  scenario(() => current as Setup);
  afterAll(async () => {
    await current?.db.destroy();
    await redis?.kill();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('pocket serve killed mid-burst [sqlite+memory]', () => {
  let dir: string;
  let current: Setup | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-sigkill-'));
    mkdirSync(join(dir, 'data'));
    current = {
      env: { ...serveEnv(dir), DATABASE_URL: undefined, REDIS_URL: undefined },
      db: createDb({ sqliteFile: join(dir, 'data', 'pocket.sqlite') }),
      redisUrl: null,
    };
  });
  // Declared first, so the killed processes' successors are gone before the ledger and Redis are.
  scenario(() => current as Setup);
  afterAll(async () => {
    await current?.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
});
