/** Helpers for delivery and reconciliation tests: a fake clock and grants made through the real pipeline. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import type { Db } from '../../src/ledger/db';
import type { Config } from '../../src/config';
import { silentLogger } from '../../src/observability/logger';
import { createPocket, type Pocket, type PocketOverrides } from '../../src/server';
import { FakeIssuer } from './fake-issuer';
import { createBackends, createTestPocket, testConfig, type Backend, type TestBackends } from './pocket';

export interface FakeClock {
  (): Date;
  advance(ms: number): void;
  set(at: Date): void;
}

export function fakeClock(start: Date): FakeClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (at) => {
    now = at.getTime();
  };
  return clock;
}

/** Inside the fixture campaigns' window (2026-11-11, Asia/Shanghai). */
export const AT = new Date('2026-11-11T10:00:00+08:00');

/**
 * One participation, sent again with the same Idempotency-Key while it answers 503, as a client retries: on a
 * host too busy for the ledger's 2 s wait the first try can be refused, and the retry runs it exactly once.
 */
async function participateOnce(
  pocket: Pocket,
  campaignId: string,
  userId: string,
): Promise<request.Response> {
  const key = randomUUID();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await request(pocket.app)
      .post(`/v1/campaigns/${campaignId}/participations`)
      .set('Idempotency-Key', key)
      .send({ userId, context: { channel: 'app' } });
    if (res.status !== 503 || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Participates once per user (in parallel); returns the grants that will be delivered (consolations excluded). */
export async function grantsFor(
  pocket: Pocket,
  users: readonly string[],
  campaignId = BULK,
): Promise<string[]> {
  const answers = await Promise.all(users.map((userId) => participateOnce(pocket, campaignId, userId)));
  const ids: string[] = [];
  for (const res of answers) {
    if (res.status !== 201) throw new Error(`participation answered ${res.status}: ${res.text}`);
    const grant = (res.body as { grant: { id: string; type: string } }).grant;
    if (grant.type !== 'none') ids.push(grant.id);
  }
  return ids.sort();
}

/**
 * Grants recorded by a service of their own on `env`'s ledger (DEFINITIONS, at AT, every draw 0), closed before
 * this returns: pending in the outbox, for a `pocket worker` process to deliver.
 */
export async function recordedGrants(
  env: Record<string, string>,
  userIds: readonly string[],
  campaignId = TINY,
): Promise<string[]> {
  const service = await createPocket(testConfig({ POCKET_DEFINITIONS: DEFINITIONS, ...env }), {
    logger: silentLogger(),
    clock: () => AT,
    random: () => 0,
  });
  try {
    await service.start();
    return await grantsFor(service, userIds, campaignId);
  } finally {
    await service.close();
  }
}

/** Users u-<prefix>-0 … u-<prefix>-(n-1). */
export function users(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `u-${prefix}-${i}`);
}

export async function grantStatuses(db: Db, ids: readonly string[]): Promise<Record<string, string>> {
  const rows = (await db('grants')
    .whereIn('id', [...ids])
    .select('id', 'status')) as Array<{ id: string; status: string }>;
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

/**
 * The definitions these tests run on: bulk-drop (plenty of stock, no protection; a draw below 0.7 gives a red
 * packet of 50..200, above it the consolation; tester qa-bulk) and tiny-drop (5 red packets of 100 on a budget
 * of 1000, alerts on budget.50pct, budget.80pct and stock.exhausted).
 */
export const DEFINITIONS = join(__dirname, '../integration/reconciliation/definitions');
export const BULK = 'bulk-drop';
export const TINY = 'tiny-drop';

/** A pocket on `backends` at `clock` reading DEFINITIONS, every draw 0; `overrides` adds issuer and hook URLs. */
export function deliveryPocket(
  backends: TestBackends,
  clock: () => Date,
  overrides: PocketOverrides & { config?: Partial<Config> } = {},
): Promise<Pocket> {
  return createTestPocket(backends, {
    clock,
    random: () => 0,
    ...overrides,
    config: { definitionsRoot: DEFINITIONS, ...overrides.config },
  });
}

/** Drops every nock interceptor, then closes whichever of the pocket and its backends got started. */
export async function closeDeliveryPocket(
  pocket: Pocket | undefined,
  backends: TestBackends | undefined,
): Promise<void> {
  nock.cleanAll();
  await pocket?.close();
  await backends?.destroy();
}

/** A pocket at AT on one backend pair, with a fake wallet issuer and the alerts its notifier sends. */
export interface ReconciliationRig {
  backends: TestBackends;
  pocket: Pocket;
  clock: FakeClock;
  issuer: FakeIssuer;
  /** Every notification body received at `<hook>/pocket`, in order. */
  alerts: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts a ReconciliationRig: red packets go to `wallet` (a FakeIssuer), notifications to `<hook>/pocket`. */
export async function startReconciliationRig(
  backend: Backend,
  wallet: string,
  hook: string,
): Promise<ReconciliationRig> {
  const clock = fakeClock(AT);
  const backends = await createBackends(backend);
  const pocket = await deliveryPocket(backends, clock, {
    config: { issuerUrls: { red_packet: wallet }, notifyUrl: `${hook}/pocket` },
  });
  const alerts: Array<Record<string, unknown>> = [];
  nock(hook)
    .persist()
    .post('/pocket')
    .reply((_uri, body) => {
      alerts.push(body as Record<string, unknown>);
      return [204];
    });
  return {
    backends,
    pocket,
    clock,
    issuer: new FakeIssuer(wallet, clock),
    alerts,
    close: () => closeDeliveryPocket(pocket, backends),
  };
}

/**
 * A ReconciliationRig started afresh for each test of a suite: registers beforeEach (start) and afterEach
 * (close). Read its fields inside tests and hooks.
 */
export function useReconciliationRig(
  backend: Backend,
  wallet: string,
  hook: string,
): Omit<ReconciliationRig, 'close'> {
  let rig: ReconciliationRig | undefined;
  beforeEach(async () => {
    rig = await startReconciliationRig(backend, wallet, hook);
  });
  afterEach(() => rig?.close());
  const started = (): ReconciliationRig => {
    if (!rig) throw new Error('useReconciliationRig: read inside a test or hook, after beforeEach');
    return rig;
  };
  return {
    get backends() {
      return started().backends;
    },
    get pocket() {
      return started().pocket;
    },
    get clock() {
      return started().clock;
    },
    get issuer() {
      return started().issuer;
    },
    get alerts() {
      return started().alerts;
    },
  };
}
