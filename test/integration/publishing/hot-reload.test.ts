/**
 * Two running instances over one ledger and one hot state pick up a rollback, a pause and a resume made
 * through one instance's /admin endpoints without a restart (issue 4 "Tests": within 2 s). On PostgreSQL+Redis
 * both instances never poll, so the Redis pub/sub notice alone must carry the change, and each must see it within
 * 2 s; a third instance without Redis notices shows the poll fallback. On SQLite+memory (embedded, no pub/sub) the
 * poll at its 1 s default carries it; the pollers' waits have a deadline that only ends a failing test.
 */
import request from 'supertest';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import { uniqueName } from '../../helpers/services';
import {
  AT,
  CAMPAIGN,
  createDefinitionsRepo,
  eventually,
  participate,
  PICKUP_LIMIT_MS,
  pickedUp,
  publishOptions,
  type DefinitionsRepo,
} from './publishing-fixtures';

describeEachBackend('hot reload across instances', (backend) => {
  const redis = backend === 'postgres+redis';
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let a: Pocket;
  let b: Pocket;
  /** What beforeAll got to create, so a failing setup still cleans up (and jest can exit). */
  const cleanup: Array<() => Promise<void> | void> = [];
  let poller: Pocket | null = null;
  let token: string;

  beforeAll(async () => {
    backends = await createBackends(backend);
    cleanup.push(() => backends.destroy());
    repo = createDefinitionsRepo();
    cleanup.push(() => repo.remove());
    const changesChannel = uniqueName('changes');
    const instance = async (over: { redisUrl: string | null; refreshMs: number }): Promise<Pocket> => {
      const started = await createTestPocket(backends, {
        clock: () => AT,
        refreshMs: over.refreshMs,
        changesChannel,
        config: { definitionsRoot: repo.root, publishOnStart: false, redisUrl: over.redisUrl },
      });
      cleanup.unshift(() => started.close());
      return started;
    };
    const redisUrl = redis ? (process.env.REDIS_URL ?? null) : null;
    // Never (the longest timer Node allows, 24 days) on PostgreSQL+Redis: only the notice can carry a change.
    const refreshMs = redis ? 2 ** 31 - 1 : 1000;
    a = await instance({ redisUrl, refreshMs });
    b = await instance({ redisUrl, refreshMs });
    if (redis) poller = await instance({ redisUrl: null, refreshMs: 1000 });
    token = (await a.tokens.create(['publish', 'operate', 'read'], 'hot-reload tests')).token;

    await a.lifecycle.publish(await repo.resolved(), publishOptions());
    repo.write({ reward: 'thanks' });
    await a.lifecycle.publish(await repo.resolved(), publishOptions());
  });
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  const instances = (): Pocket[] => [a, b, ...(poller ? [poller] : [])];
  /**
   * Issue 4's 2 s, asserted where a Redis notice carries the change (a and b on PostgreSQL+Redis). The pollers (the
   * embedded pair, the instance without notices) pick it up at their next 1 s poll, which a loaded host can
   * delay past 2 s: for them the deadline only ends a failing test.
   */
  const expectWithin2s = (pickups: ReadonlyArray<{ ms: number }>): void => {
    if (!redis) return;
    for (const pickup of pickups.slice(0, 2)) expect(pickup.ms).toBeLessThan(PICKUP_LIMIT_MS);
  };
  const versionOf = async (p: Pocket): Promise<number | null> => {
    const res = await request(p.app).get(`/v1/campaigns/${CAMPAIGN}`);
    return (res.body as { version?: number }).version ?? null;
  };
  const stateOf = async (p: Pocket): Promise<string | null> => {
    const res = await request(p.app).get(`/v1/campaigns/${CAMPAIGN}`);
    return (res.body as { state?: string }).state ?? null;
  };
  const admin = (path: string, body: Record<string, unknown>) =>
    request(a.app)
      .post(`/admin/campaigns/${CAMPAIGN}/${path}`)
      .set('Authorization', `Bearer ${token}`)
      .send(body);

  it('serves the published version 2 everywhere', async () => {
    for (const p of instances()) {
      expect(
        await eventually(
          () => versionOf(p),
          (v) => v === 2,
        ),
      ).toBe(2);
      expect(await participate(p.app)).toMatchObject({ status: 201, version: 2, rewardId: 'thanks' });
    }
  });

  it('a rollback on one instance restores the version-1 behaviour on every instance within 2 s', async () => {
    const res = await admin('rollback', { to: 1, note: 'v2 only gives thanks' });
    const since = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, activeVersion: 1, previousVersion: 2 });
    const seen = await Promise.all(
      instances().map((p) =>
        pickedUp(
          since,
          () => versionOf(p),
          (v) => v === 1,
        ),
      ),
    );
    expect(seen.map((s) => s.value)).toEqual(instances().map(() => 1));
    expectWithin2s(seen);
    for (const p of instances()) {
      expect(await participate(p.app)).toEqual({
        status: 201,
        outcome: 'granted',
        version: 1,
        rewardId: 'coin',
      });
    }
  });

  it('a pause on one instance makes every instance answer paused within 2 s; resume grants again', async () => {
    expect((await admin('pause', { note: 'incident' })).status).toBe(200);
    let since = Date.now();
    const paused = await Promise.all(
      instances().map((p) =>
        pickedUp(
          since,
          () => participate(p.app),
          (j) => j.outcome === 'paused',
        ),
      ),
    );
    for (const answer of paused) expect(answer.value).toMatchObject({ status: 200, outcome: 'paused' });
    expectWithin2s(paused);

    expect((await admin('resume', {})).status).toBe(200);
    since = Date.now();
    const live = await Promise.all(
      instances().map((p) =>
        pickedUp(
          since,
          () => stateOf(p),
          (s) => s === 'live',
        ),
      ),
    );
    expect(live.map((s) => s.value)).toEqual(instances().map(() => 'live'));
    expectWithin2s(live);
    for (const p of instances()) {
      expect(await participate(p.app)).toMatchObject({ status: 201, outcome: 'granted', version: 1 });
    }
  });

  it('records the changes made through /admin with the admin token as the actor', async () => {
    const res = await request(b.app)
      .get(`/admin/audit?campaign=${CAMPAIGN}&limit=3`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const entries = (res.body as { entries: Array<{ action: string; actor: string }> }).entries;
    expect(entries.map((e) => e.action)).toEqual(['resume', 'pause', 'rollback']);
    for (const e of entries) expect(e.actor).toMatch(/^token:[0-9a-f]{16}$/);
  });
});
