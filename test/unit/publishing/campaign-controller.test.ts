/**
 * The public campaign view is hit hard in a sale: its stock use comes from one ledger read per campaign at a
 * time, kept a second once answered, however many views come while it runs.
 */
import { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { resolveCampaign } from '../../../src/definitions/resolve-campaign';
import { createApp } from '../../../src/http/app';
import type { Db } from '../../../src/ledger/db';
import type { CampaignUsage, GrantStore } from '../../../src/ledger/grant-store';
import { campaignRouter } from '../../../src/publishing/campaign-controller';
import { LiveRegistry } from '../../../src/publishing/live-registry';
import { campaignWith } from '../decision/decision-fixtures';

/** The grant store's usage read, answered when `answer` is called (or failing with `fail`). */
function gatedUsage() {
  const gate = {
    reads: 0,
    pending: [] as Array<{ resolve: (u: CampaignUsage) => void; reject: (e: Error) => void }>,
    usage(): Promise<CampaignUsage> {
      gate.reads++;
      return new Promise((resolve, reject) => gate.pending.push({ resolve, reject }));
    },
    answer(): void {
      for (const p of gate.pending.splice(0))
        p.resolve({ stockUsed: { rp: 3 }, spent: 0n, dailySpent: {}, grants: 3 });
    },
    fail(): void {
      for (const p of gate.pending.splice(0)) p.reject(new Error('Connection terminated unexpectedly'));
    },
  };
  return gate;
}

async function viewApp(gate: ReturnType<typeof gatedUsage>) {
  const resolved = resolveCampaign(campaignWith(), new Map());
  const registry = new LiveRegistry({
    activeVersions: () =>
      Promise.resolve([
        {
          campaignId: 'test-campaign',
          version: 1,
          fingerprint: resolved.fingerprint,
          body: resolved.canonical,
        },
      ]),
    pausedCampaigns: () => Promise.resolve([]),
  });
  await registry.refresh();
  const router = campaignRouter({
    db: {} as Db,
    grants: { usage: () => gate.usage() } as unknown as GrantStore,
    registry,
    clock: () => new Date('2026-11-25T00:00:00+08:00'),
  });
  // Counts the views that reached the service, so a test waits for all of them rather than for a fixed time
  // (50 ms was too short on a busy machine: a view arriving after the read failed started a read of its own).
  const arrivals = Router().use((_req, _res, next) => {
    views.arrived++;
    next();
  });
  const views = { arrived: 0 };
  const app = createApp({
    logger: pino({ level: 'silent' }),
    routers: [arrivals, router],
    health: { ready: () => true },
  });
  return { app, views };
}

/**
 * Resolves once `n` views have reached the service (checked every 5 ms; Jest's timeout bounds it) and then
 * passed Express's router hops (each leaves a router on a later turn of the event loop): no I/O comes between
 * that and the view's stock read.
 */
async function arrived(views: { arrived: number }, n: number): Promise<void> {
  while (views.arrived < n) await new Promise((resolve) => setTimeout(resolve, 5));
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** `n` views sent at once, each settling with its status. */
const statuses = (app: Parameters<typeof request>[0], n: number): Array<Promise<number>> =>
  Array.from({ length: n }, () =>
    request(app)
      .get('/v1/campaigns/test-campaign')
      .then((r) => r.status),
  );

describe('GET /v1/campaigns/{id} stock use', () => {
  it('sends one read for the views that come while it runs, then answers them all from it', async () => {
    const gate = gatedUsage();
    const { app, views: reached } = await viewApp(gate);
    const views = statuses(app, 20);
    await arrived(reached, 20);
    // Before, every view sent its own read until one had answered: 20 aggregates over the grants.
    expect(gate.reads).toBe(1);
    gate.answer();
    expect(await Promise.all(views)).toEqual(Array.from({ length: 20 }, () => 200));
    await request(app).get('/v1/campaigns/test-campaign').expect(200);
    expect(gate.reads).toBe(1);
  });

  it('answers 503 to the views sharing a failed read, and reads again for the next one', async () => {
    const gate = gatedUsage();
    const { app, views: reached } = await viewApp(gate);
    const views = statuses(app, 3);
    await arrived(reached, 3);
    gate.fail();
    expect(await Promise.all(views)).toEqual([503, 503, 503]);
    const [next] = statuses(app, 1);
    await arrived(reached, 4);
    expect(gate.reads).toBe(2);
    gate.answer();
    expect(await next).toBe(200);
  });
});
