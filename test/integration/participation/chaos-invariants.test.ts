/**
 * DESIGN.md Invariants 1-3 while everything changes at once. The other suites of this folder prove each
 * invariant under parallel requests with one disturbance at a time; here two instances over the same ledger and
 * hot state (DESIGN.md Backends) take waves of parallel participations from 20 users (new keys, the same key
 * again with the same body, the same key with another body) while, during each wave, one disturbance of a seeded
 * schedule runs: the hot state is lost, a publish lowers stock and budget (with --force when the activation
 * checks refuse), a publish raises them, a publish adds a per-user limit, a pause then a resume, a `grants void`
 * of a pending or delivered grant, the business day changes. Then the keys left without a final answer are sent
 * again until they get one, real-time reconciliation runs, and the ledger is read with SQL: no limit in force
 * was passed, one participation per key, replays byte for byte, and the hot counters equal the ledger + live
 * reservations. A last calm wave must get no 503 at all.
 *
 * The schedule and the traffic come from POCKET_CHAOS_SEED (a fixed seed by default); a failure names the seed.
 */
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { KnexReconciliationReads } from '../../../src/reconciliation/knex-reconciliation-reads';
import { DEFAULT_REALTIME_SETTINGS } from '../../../src/reconciliation/realtime-reconciler';
import type { UserDrift } from '../../../src/reconciliation/user-counter-diff';
import { ActivationRefusedError } from '../../../src/publishing/activation-refused-error';
import type { PublishOutcome } from '../../../src/publishing/lifecycle';
import { describeEachBackend } from '../../helpers/pocket';
import { seededRandom } from '../hot-state/hot-state-fixtures';
import { publishOptions } from '../publishing/publishing-fixtures';
import {
  DAY_TWO,
  grantOf,
  hotAndLedgerCounters,
  ledgerGrants,
  outcomeOf,
  sum,
  tally,
  userCounterDrift,
  usePockets,
  withDeadline,
  writeCampaign,
  type GrantRow,
  type LiveServer,
  type Reply,
} from './invariant-harness';

const SEED = Number(process.env.POCKET_CHAOS_SEED ?? 20261111);
const A = 'chaos-limited';
const B = 'chaos-open';
const CAMPAIGNS = [A, B] as const;
type CampaignId = (typeof CAMPAIGNS)[number];
const USERS = Array.from({ length: 20 }, (_, i) => `chaos-${i}`);
const WAVES = 14;
const REQUEST_MS = 10_000;
const DISTURBANCE_MS = 15_000;
/** How long a key that heard only transient answers may take to get a final one once the disturbances are over. */
const SETTLE_MS = 20_000;

/** What a version of a chaos campaign limits; every publish of this suite changes one of these. */
interface Shape {
  stock: { coupon: number; rp: number };
  budget: { total: number; daily: number };
  perUser: { total: number; daily: number } | null;
}

/**
 * A: per-user limits from the start, a consolation as the fallback (consolations count against them too).
 * B: no per-user limit until a publish adds one, no fallback (out_of_stock, budget_exhausted).
 */
const INITIAL: Record<CampaignId, Shape> = {
  [A]: {
    stock: { coupon: 12, rp: 16 },
    budget: { total: 3000, daily: 1800 },
    perUser: { total: 4, daily: 2 },
  },
  [B]: { stock: { coupon: 20, rp: 20 }, budget: { total: 4000, daily: 2500 }, perUser: null },
};

function body(id: CampaignId, s: Shape): string {
  return [
    ...(s.perUser ? [`limits: { perUser: { total: ${s.perUser.total}, daily: ${s.perUser.daily} } }`] : []),
    `budget: { currency: CNY, total: ${s.budget.total}, daily: ${s.budget.daily} }`,
    'rewards:',
    `  - { id: coupon, type: coupon, name: Coupon, value: 500, minSpend: 1000, cost: 100, stock: ${s.stock.coupon} }`,
    `  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 150 }, stock: ${s.stock.rp} }`,
    '  - { id: thanks, type: none, name: Thanks }',
    'segments:',
    '  - id: everyone',
    '    rewards: [{ reward: coupon, weight: 1 }, { reward: rp, weight: 1 }]',
    `decision: { strategy: weighted${id === A ? ', fallback: thanks' : ''} }`,
  ].join('\n');
}

type Disturbance = 'wipe' | 'lower' | 'raise' | 'add-limit' | 'pause' | 'void' | 'next-day';

/**
 * Every kind at least once, then more of the repeatable ones, in a seeded order; the day changes neither first
 * nor last, so both days see traffic.
 */
function schedule(random: () => number, waves: number): Disturbance[] {
  const repeatable: Disturbance[] = ['wipe', 'lower', 'raise', 'pause', 'void'];
  const kinds: Disturbance[] = [...repeatable, 'add-limit', 'next-day'];
  while (kinds.length < waves)
    kinds.push(repeatable[Math.floor(random() * repeatable.length)] as Disturbance);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Disturbance, kinds[i] as Disturbance];
  }
  const day = kinds.indexOf('next-day');
  const middle = Math.floor(waves / 2);
  if (day < 2 || day > waves - 3) [kinds[day], kinds[middle]] = [kinds[middle] as Disturbance, 'next-day'];
  return kinds;
}

/** One idempotency scope (campaign, user, key) and every answer it got for its first body. */
interface KeyRecord {
  campaignId: CampaignId;
  userId: string;
  key: string;
  context: Record<string, unknown>;
  replies: Reply[];
}

interface Sent {
  record: KeyRecord;
  /** The same key with another body: must be refused with 422 (only sent once the key has a final answer). */
  mismatch: boolean;
  instance: number;
  wave: number;
  sentAt?: number;
  reply?: Reply;
}

const CANONICAL = { channel: 'app' };
const TRANSIENT = new Set(['409:request_in_flight', '409:user_busy', '503:dependency_unavailable']);
const FINAL = new Set(['granted', 'out_of_stock', 'budget_exhausted', 'limit_reached', 'paused']);
const isFinal = (r: Reply): boolean => FINAL.has(outcomeOf(r));

describeEachBackend('invariants 1-3 under chaos (two instances, seeded disturbances)', (backend) => {
  const live = usePockets(backend, Object.fromEntries(CAMPAIGNS.map((id) => [id, body(id, INITIAL[id])])), {
    instances: 2,
  });

  /** What happened, wave by wave: printed with a failure (and with POCKET_CHAOS_LOG=1). */
  const log: string[] = [];

  it(`holds stock, budget, per-user limits and one execution per key (seed ${SEED})`, async () => {
    try {
      await chaos();
    } catch (error) {
      if (error instanceof Error)
        error.message = `POCKET_CHAOS_SEED=${SEED}: ${error.message}\n--\n${log.join('\n')}`;
      throw error;
    }
  });

  async function chaos(): Promise<void> {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const servers = live.set.servers;
    const first = servers[0] as LiveServer;
    const { pocket } = first;
    const db = pocket.db;

    // Every version a campaign had, by number, so each grant is judged by the limits it was made under.
    const current: Record<CampaignId, Shape> = { [A]: INITIAL[A], [B]: INITIAL[B] };
    const versions: Record<CampaignId, Map<number, Shape>> = { [A]: new Map(), [B]: new Map() };
    for (const id of CAMPAIGNS) {
      const active = (await pocket.lifecycle.versions(id)).activeVersion;
      if (active === null) throw new Error(`${id}: not published`);
      versions[id].set(active, INITIAL[id]);
    }
    async function publish(id: CampaignId, next: Shape, note: string): Promise<void> {
      writeCampaign(live.set.root, id, body(id, next));
      const resolved = (await loadResolvedCampaigns(live.set.root)).resolved.filter(
        (r) => r.definition.id === id,
      );
      let outcome: PublishOutcome | undefined;
      try {
        [outcome] = await pocket.lifecycle.publish(resolved, publishOptions({ note }));
      } catch (error) {
        // A cut below what is used is refused without --force (README "Activation checks"); the operator forces.
        if (!(error instanceof ActivationRefusedError) || !error.refusals.every((r) => r.forceable))
          throw error;
        log.push(`${id}: forced (${error.refusals.map((r) => r.code).join(', ')})`);
        [outcome] = await pocket.lifecycle.publish(resolved, publishOptions({ note, force: true }));
      }
      if (outcome?.status !== 'published') throw new Error(`${id}: publish gave ${JSON.stringify(outcome)}`);
      versions[id].set(outcome.version, next);
      current[id] = next;
    }

    const nonVoid = async (id: CampaignId): Promise<GrantRow[]> =>
      (await ledgerGrants(db, id)).filter((g) => g.status !== 'void');
    const scale = (n: number, f: number): number => Math.max(1, Math.round(n * f));

    async function disturb(kind: Disturbance): Promise<string> {
      const id = pick(CAMPAIGNS);
      const s = current[id];
      switch (kind) {
        case 'wipe':
          await live.backends.wipeHotState();
          return 'hot state wiped';
        case 'lower': {
          // Half the time below what is already used (refused without --force), else a milder cut.
          const used = await nonVoid(id);
          const count = (reward: string) => used.filter((g) => g.reward_id === reward).length;
          const deep = random() < 0.5;
          const cut = (limit: number, inUse: number) =>
            deep ? scale(inUse, 0.7) : Math.min(limit, Math.max(inUse + 1, scale(limit, 0.8)));
          const next: Shape = {
            ...s,
            stock: { coupon: cut(s.stock.coupon, count('coupon')), rp: cut(s.stock.rp, count('rp')) },
            budget: {
              total: deep ? scale(sum(used.map((g) => g.charge)), 0.8) : s.budget.total,
              daily: scale(s.budget.daily, deep ? 0.5 : 0.85),
            },
          };
          await publish(id, next, 'lower');
          return `${id} lowered to ${JSON.stringify(next)}`;
        }
        case 'raise': {
          const next: Shape = {
            ...s,
            stock: { coupon: s.stock.coupon + 6, rp: s.stock.rp + 6 },
            budget: { total: s.budget.total + 1500, daily: s.budget.daily + 1000 },
          };
          await publish(id, next, 'raise');
          return `${id} raised to ${JSON.stringify(next)}`;
        }
        case 'add-limit':
          await publish(B, { ...current[B], perUser: { total: 3, daily: 2 } }, 'add a per-user limit');
          return `${B} limited per user`;
        case 'pause':
          resumedAt[id] = Infinity;
          await pocket.lifecycle.pause(id, { note: 'chaos', author: 'chaos' });
          await new Promise((resolve) => setTimeout(resolve, 20 + random() * 80));
          await pocket.lifecycle.resume(id, { note: 'chaos', author: 'chaos' });
          resumedAt[id] = Date.now();
          return `${id} paused and resumed`;
        case 'void': {
          // Delivered ones too: the relay hands the pending ones to the sandbox issuer first, half the time.
          if (random() < 0.5) await pocket.delivery.relay.drain(5);
          const candidates = (await nonVoid(id)).filter(
            (g) => g.status === 'pending' || g.status === 'delivered',
          );
          if (candidates.length === 0) return `${id}: nothing to void`;
          const grant = pick(candidates);
          await pocket.delivery.voids.void(grant.id, {
            reason: 'chaos',
            actor: 'chaos',
            force: grant.status === 'delivered',
          });
          return `${id}: voided ${grant.status} ${grant.reward_id} of ${grant.user_id}`;
        }
        case 'next-day':
          live.set.clock.set(DAY_TWO);
          return 'next business day';
      }
    }

    // Traffic: each wave 40-70 requests at once over both instances; the disturbance starts after a seeded number
    // of answers, so it lands among requests in flight.
    const records = new Map<string, KeyRecord>();
    /** When each campaign was last resumed (Infinity while a pause runs). */
    const resumedAt: Record<string, number> = {};
    const sent: Sent[] = [];
    let keys = 0;
    const plan = schedule(random, WAVES);
    const started = Date.now();
    for (const [wave, kind] of plan.entries()) {
      const size = 40 + Math.floor(random() * 31);
      const batch: Sent[] = [];
      for (let i = 0; i < size; i++) {
        const campaignId: CampaignId = random() < 0.6 ? A : B;
        const userId = pick(USERS);
        const mine = [...records.values()].filter((r) => r.campaignId === campaignId && r.userId === userId);
        const settled = mine.filter((r) => r.replies.some(isFinal));
        const roll = random();
        let record: KeyRecord;
        let mismatch = false;
        if (roll < 0.2 && mine.length > 0) record = pick(mine);
        else if (roll < 0.27 && settled.length > 0) {
          record = pick(settled);
          mismatch = true;
        } else {
          record = { campaignId, userId, key: `k-${(keys += 1)}`, context: CANONICAL, replies: [] };
          records.set(`${campaignId}|${userId}|${record.key}`, record);
        }
        batch.push({ record, mismatch, instance: Math.floor(random() * servers.length), wave });
      }
      const after = Math.floor(random() * (size / 2));
      let answered = 0;
      let disturbance: Promise<string> | undefined;
      const go = () => {
        disturbance ??= withDeadline(disturb(kind), DISTURBANCE_MS, `disturbance ${kind}`);
      };
      if (after === 0) go();
      await Promise.all(
        batch.map(async (s) => {
          const { record } = s;
          const server = servers[s.instance] as LiveServer;
          s.sentAt = Date.now();
          s.reply = await withDeadline(
            server.participate(record.campaignId, {
              userId: record.userId,
              key: record.key,
              context: s.mismatch ? { channel: 'app', deviceId: `other-${wave}` } : record.context,
            }),
            REQUEST_MS,
            `wave ${wave} ${record.campaignId}/${record.userId}/${record.key}`,
          );
          if (!s.mismatch) record.replies.push(s.reply);
          if ((answered += 1) === after) go();
        }),
      );
      go();
      log.push(
        `wave ${wave} (${size}): ${await disturbance} → ${JSON.stringify(tally(batch.map((s) => s.reply as Reply)))}`,
      );
      sent.push(...batch);
      // A pause lasts until its resume (README "Hot reload"): the instance that resumed refreshed before the
      // resume returned, so it says `paused` afresh (not a replay) to nothing sent after that; the other one
      // polls the ledger (every 200 ms here), so it may for a moment, never for long.
      for (const s of batch) {
        const late = (s.sentAt ?? 0) - (resumedAt[s.record.campaignId] ?? Infinity);
        if (outcomeOf(s.reply as Reply) !== 'paused' || s.reply?.headers['idempotent-replayed'] === 'true')
          continue;
        if (late >= 0)
          expect(`paused ${late} ms after the resume on instance ${s.instance}`).toMatch(
            s.instance === 0 ? /^$/ : /^paused \d{1,3} ms after/,
          );
      }
    }

    // No hang, no 5xx but 503 (every wave had a disturbance), 422 only and always for another body.
    for (const s of sent) {
      const o = outcomeOf(s.reply as Reply);
      if (s.mismatch) expect(`${s.record.key}: ${o}`).toBe(`${s.record.key}: 422:idempotency_mismatch`);
      else if (!FINAL.has(o) && !TRANSIENT.has(o))
        throw new Error(`unexpected ${o}: ${(s.reply as Reply).text}`);
    }

    // Keys that only heard transient answers are sent again, one user at a time, until they get a final one.
    await Promise.all(
      USERS.map(async (userId) => {
        for (const record of records.values()) {
          if (record.userId !== userId || record.replies.some(isFinal)) continue;
          // A deadline, not a number of attempts: a key may wait for a rebuild from the ledger, which takes several
          // times as long on a busy host.
          const deadline = Date.now() + SETTLE_MS;
          for (let attempt = 0; !record.replies.some(isFinal); attempt++) {
            if (Date.now() > deadline)
              throw new Error(`${record.key}: no final answer after ${attempt} attempts in ${SETTLE_MS} ms`);
            const reply = await withDeadline(
              first.participate(record.campaignId, { userId, key: record.key, context: record.context }),
              REQUEST_MS,
              `settling ${record.key}`,
            );
            const o = outcomeOf(reply);
            if (!FINAL.has(o) && !TRANSIENT.has(o))
              throw new Error(`unexpected ${o} settling ${record.key}: ${reply.text}`);
            record.replies.push(reply);
            if (!isFinal(reply)) await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }),
    );

    // Real-time reconciliation, then DESIGN.md "repair counts ledger + live reservations": the hot counters
    // (campaign and per user) equal the ledger plus what is still reserved.
    const realtime = pocket.delivery.realtime;
    if (realtime === null) throw new Error('no real-time reconciler: the hot state is not shared');
    const run = await withDeadline(realtime.run(), DISTURBANCE_MS, 'real-time reconciliation');
    expect(run.errors).toEqual([]);
    // Per-user counts are a cache of the ledger (README "Per-user counts are a cache of the ledger"): the run
    // checks the users who participated (or lost a grant) in the last 10 minutes of the clock, and those must
    // agree now. A user not seen since (here: seen only before the day changed) may still count from zero what
    // came after a wipe, since a lost count is not primed before the next reserve (the ledger's per-user fence
    // refuses what the gate lets through, then primes it); it may count less than the ledger, never more.
    const above = (d: UserDrift): boolean =>
      d.hot.total > d.expected.total ||
      Object.entries(d.hot.daily).some(([date, n]) => n > (d.expected.daily[date] ?? 0));
    expect(run.usersSkipped).toBe(0);
    const since = new Date(live.set.clock.now().getTime() - DEFAULT_REALTIME_SETTINGS.activeUserWindowMs);
    for (const id of CAMPAIGNS) {
      const { hot, ledger } = await hotAndLedgerCounters(pocket, id);
      expect({ id, hot }).toEqual({ id, hot: ledger });
      const recent = await new KnexReconciliationReads().recentUsers(db, id, since, USERS.length);
      const drift = (await userCounterDrift(pocket, id, USERS)).filter(
        (d) => recent.includes(d.userId) || above(d),
      );
      expect({ id, drift }).toEqual({ id, drift: [] });
    }

    // A calm wave once everything has settled: one new key per user per campaign, plus a replay and another
    // body for a settled key each, over both instances. Nothing is disturbed any more, so no 503.
    const calm = USERS.flatMap((userId, i) =>
      CAMPAIGNS.map((campaignId, j) => ({
        campaignId,
        userId,
        key: `calm-${i}-${j}`,
        server: servers[(i + j) % 2] as LiveServer,
      })),
    );
    // Settled means every instance has seen the last change too: the other instance only polls (README "Hot
    // reload"), and the last resume may be a few milliseconds old; this is the poll's refresh, awaited.
    await Promise.all(servers.map((server) => server.pocket.registry.refresh()));
    const calmReplies = await Promise.all(
      calm.map((c) =>
        withDeadline(
          c.server.participate(c.campaignId, { userId: c.userId, key: c.key }),
          REQUEST_MS,
          `calm ${c.key}`,
        ),
      ),
    );
    for (const [i, c] of calm.entries()) {
      const reply = calmReplies[i] as Reply;
      expect(`${c.key}: ${outcomeOf(reply)}`).toMatch(
        /: (granted|out_of_stock|budget_exhausted|limit_reached)$/,
      );
      const { campaignId, userId, key } = c;
      records.set(`${campaignId}|${userId}|${key}`, {
        campaignId,
        userId,
        key,
        context: CANONICAL,
        replies: [reply],
      });
    }
    const settledKeys = [...records.values()].filter((r) => r.replies.some(isFinal));
    for (const record of settledKeys.filter(() => random() < 0.3)) {
      const server = pick(servers);
      const again = await server.participate(record.campaignId, { userId: record.userId, key: record.key });
      record.replies.push(again);
      const other = await server.participate(record.campaignId, {
        userId: record.userId,
        key: record.key,
        context: { channel: 'app', deviceId: 'calm-other' },
      });
      expect(`${record.key}: ${outcomeOf(other)}`).toBe(`${record.key}: 422:idempotency_mismatch`);
    }

    await expectLedgerInvariants(records, versions, current, log, started);
  }

  /**
   * Invariant 3 from the ledger: each key has exactly one participation row, its stored response is the first
   * final answer, and every final answer of that key is the same bytes.
   * Invariants 1 and 2 from the ledger, for every grant that is not void:
   */
  async function expectLedgerInvariants(
    records: Map<string, KeyRecord>,
    versions: Record<CampaignId, Map<number, Shape>>,
    current: Record<CampaignId, Shape>,
    log: string[],
    started: number,
  ): Promise<void> {
    const db = live.server.pocket.db;
    const rows = (await db('participations')
      .whereIn('campaign_id', [...CAMPAIGNS])
      .select('campaign_id', 'user_id', 'idem_key', 'response', 'grant_id')) as Array<{
      campaign_id: string;
      user_id: string;
      idem_key: string;
      response: string;
      grant_id: string | null;
    }>;
    const byScope = new Map<string, typeof rows>();
    for (const r of rows) {
      const scope = `${r.campaign_id}|${r.user_id}|${r.idem_key}`;
      byScope.set(scope, [...(byScope.get(scope) ?? []), r]);
    }
    expect([...byScope.keys()].sort()).toEqual([...records.keys()].sort());
    const problems: string[] = [];
    for (const [scope, record] of records) {
      const stored = byScope.get(scope) ?? [];
      if (stored.length !== 1) problems.push(`${scope}: ${stored.length} participation rows`);
      for (const reply of record.replies.filter(isFinal)) {
        if (reply.text !== stored[0]?.response)
          problems.push(`${scope}: ${reply.text} ≠ stored ${stored[0]?.response}`);
        if (reply.status === 201 && grantOf(reply).id !== stored[0]?.grant_id)
          problems.push(
            `${scope}: answered grant ${grantOf(reply).id}, the ledger holds ${stored[0]?.grant_id}`,
          );
      }
    }
    expect(problems).toEqual([]);

    for (const id of CAMPAIGNS) {
      const grants = (await ledgerGrants(db, id)).filter((g) => g.status !== 'void');
      const shapeOf = (g: GrantRow): Shape => {
        const shape = versions[id].get(g.campaign_version);
        if (!shape) throw new Error(`${g.id}: made under unknown version ${g.campaign_version}`);
        return shape;
      };
      const made = (g: GrantRow) =>
        `${g.id} (${g.reward_id}, v${g.campaign_version}, ${g.user_id}, ${g.business_date})`;
      // Grants answered to their participants are the ledger's grants.
      expect(grants.every((g) => !g.test)).toBe(true);

      // 1a. Stock. Each grant holds a slot under the stock of the version it was made under (unique per reward,
      // 1 ≤ slot ≤ that stock). The count bound follows from it: DESIGN.md Invariant 1 says grants never exceed
      // the stock, and README "Activation checks" lets --force cut a stock below what is granted ("the ledger
      // fences keep holding"): those grants stay, and so may grants of a request that pinned the previous
      // version before the publish (README "Pinned snapshots"). So the count is bounded by the highest stock
      // any surviving grant was made under, or the active stock when that is higher; without a forced cut or a
      // request in flight across a cut, that is the active stock.
      for (const reward of ['coupon', 'rp'] as const) {
        const mine = grants.filter((g) => g.reward_id === reward);
        for (const g of mine) {
          const stock = shapeOf(g).stock[reward];
          if (g.stock_slot === null || g.stock_limit !== stock || g.stock_slot < 1 || g.stock_slot > stock)
            problems.push(`${made(g)}: slot ${g.stock_slot}/${g.stock_limit} under stock ${stock}`);
        }
        const slots = mine.map((g) => g.stock_slot);
        if (new Set(slots).size !== slots.length) problems.push(`${id}/${reward}: a slot held twice`);
        const bound = Math.max(current[id].stock[reward], ...mine.map((g) => shapeOf(g).stock[reward]));
        if (mine.length > bound) problems.push(`${id}/${reward}: ${mine.length} grants > ${bound}`);
      }

      // 1b. Budget, the same way: each charge holds a range [start, end) inside the total and the daily budget of
      // its version; ranges never overlap; spend is bounded by the highest budget a surviving grant was made
      // under (the active one when higher), in total and per business day.
      const spending = grants.filter((g) => g.charge > 0);
      for (const g of spending) {
        const { total, daily } = shapeOf(g).budget;
        problems.push(
          ...rangeProblem(g, [g.budget_start, g.budget_end, g.budget_limit], total, `${made(g)}: budget`),
        );
        problems.push(
          ...rangeProblem(g, [g.daily_start, g.daily_end, g.daily_limit], daily, `${made(g)}: daily`),
        );
      }
      problems.push(...overlaps(spending, (g) => [g.budget_start ?? 0, g.budget_end ?? 0], `${id} budget`));
      const totalBound = Math.max(current[id].budget.total, ...spending.map((g) => shapeOf(g).budget.total));
      if (sum(spending.map((g) => g.charge)) > totalBound) problems.push(`${id}: spend above ${totalBound}`);
      for (const date of new Set(spending.map((g) => g.business_date))) {
        const day = spending.filter((g) => g.business_date === date);
        problems.push(...overlaps(day, (g) => [g.daily_start ?? 0, g.daily_end ?? 0], `${id} ${date}`));
        const dailyBound = Math.max(current[id].budget.daily, ...day.map((g) => shapeOf(g).budget.daily));
        if (sum(day.map((g) => g.charge)) > dailyBound)
          problems.push(`${id} ${date}: spend above ${dailyBound}`);
      }

      // 2. Per user. A grant made under a per-user limit holds numbers under it (user_seq ≤ total, daily_seq ≤
      // daily), unique per user (and day). README "A limit added after launch": grants made before the limit
      // was added keep their numbers up to it, the ones over it hold none and stay; so the bound is on the grants
      // holding numbers, and on the grants made under the limit: per user ≤ total, per user and day ≤ daily.
      for (const userId of USERS) {
        const mine = grants.filter((g) => g.user_id === userId);
        for (const g of mine) {
          const limit = shapeOf(g).perUser;
          if (limit === null) continue;
          if (g.user_seq === null || g.user_limit !== limit.total || g.user_seq > limit.total)
            problems.push(`${made(g)}: user number ${g.user_seq}/${g.user_limit} under ${limit.total}`);
          if (g.daily_seq === null || g.daily_user_limit !== limit.daily || g.daily_seq > limit.daily)
            problems.push(
              `${made(g)}: daily number ${g.daily_seq}/${g.daily_user_limit} under ${limit.daily}`,
            );
        }
        const numbered = mine.filter((g) => g.user_seq !== null);
        if (new Set(numbered.map((g) => g.user_seq)).size !== numbered.length)
          problems.push(`${id}/${userId}: a per-user number held twice`);
        const limited = mine.filter((g) => shapeOf(g).perUser !== null);
        const maxTotal = Math.max(0, ...limited.map((g) => shapeOf(g).perUser?.total ?? 0));
        if (limited.length > maxTotal)
          problems.push(`${id}/${userId}: ${limited.length} grants > ${maxTotal}`);
        for (const date of new Set(limited.map((g) => g.business_date))) {
          const day = limited.filter((g) => g.business_date === date);
          const maxDaily = Math.max(...day.map((g) => shapeOf(g).perUser?.daily ?? 0));
          if (day.length > maxDaily)
            problems.push(`${id}/${userId} ${date}: ${day.length} grants > ${maxDaily}`);
          const numbers = day.map((g) => g.daily_seq);
          if (new Set(numbers).size !== numbers.length)
            problems.push(`${id}/${userId} ${date}: a daily number held twice`);
        }
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
    if (process.env.POCKET_CHAOS_LOG)
      console.log(`seed ${SEED}, ${Date.now() - started} ms\n${log.join('\n')}`);
  }
});

/** A charge's range [start, end) must be as long as the charge and held under `limit`, the version's. */
function rangeProblem(
  g: GrantRow,
  [start, end, held]: [number | null, number | null, number | null],
  limit: number,
  what: string,
): string[] {
  if (start !== null && end !== null && end - start === g.charge && held === limit && end <= limit) return [];
  return [`${what} range ${start}-${end} held under ${held}, made under ${limit}`];
}

/** Pairs of ranges [start, end) that overlap. */
function overlaps(
  grants: readonly GrantRow[],
  range: (g: GrantRow) => [number, number],
  what: string,
): string[] {
  const sorted = [...grants].sort((x, y) => range(x)[0] - range(y)[0]);
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const [prev, next] = [sorted[i - 1] as GrantRow, sorted[i] as GrantRow];
    if (range(next)[0] < range(prev)[1]) out.push(`${what}: ${prev.id} and ${next.id} overlap`);
  }
  return out;
}
