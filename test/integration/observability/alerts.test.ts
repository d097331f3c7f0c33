/**
 * Alerts through the notifier (nock stands in for NOTIFY_URL), on both backends: the budget burn rate, a
 * reward's stock running out, a spike of 503s and a spike of other 5xx each fire once per episode and send a
 * recovery; a second evaluator (another worker taking the lease) sends nothing twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import { silentLogger } from '../../../src/observability/logger';
import { AlertEvaluator } from '../../../src/observability/alerts/alert-evaluator';
import { KnexAlertEpisodeStore } from '../../../src/observability/alerts/knex-alert-episode-store';
import { KnexRequestStatsStore } from '../../../src/observability/alerts/knex-request-stats-store';
import { KnexSpendReads } from '../../../src/observability/alerts/knex-spend-reads';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { publishLocalDefinitions } from '../../../src/publishing/publish-local';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { MovingClock, participate, writeReportDefinitions, CAMPAIGN } from './observability-fixtures';

const HOOK = 'http://hooks.alerts.test';

/** report-sale's shape with a 3,000 budget, 5 packets of 100 and every alert subscribed. */
function campaignYaml(stock: number): string {
  return `id: ${CAMPAIGN}
name: Alert sale
owner: observability-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-12T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
budget: { currency: CNY, total: 3000 }
rewards:
  - { id: rp, type: red_packet, amount: { min: 100, max: 100 }, stock: ${stock} }
segments:
  - id: vips
    when: vip
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
notify: { on: [budget.burn_rate, stock.exhausted] }
`;
}

interface Received {
  event: string;
  campaignId: string | null;
  occurrence: string;
  details: Record<string, unknown>;
}

describeEachBackend('alerts through the notifier', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  const clock = new MovingClock(new Date('2026-11-11T09:30:00+08:00'));
  let received: Received[] = [];

  const run = () => pocket.delivery.alertEvaluator.run();
  const seen = (): Array<[string, string, unknown]> =>
    received.map((m) => [m.event, m.occurrence, m.details['status']]);
  const at = (iso: string): void => {
    clock.advance(new Date(iso).getTime() - clock.now().getTime());
  };

  beforeAll(async () => {
    nock(HOOK)
      .persist()
      .post('/pocket')
      .reply((_uri, body) => {
        received.push(body as Received);
        return [204];
      });
    root = writeReportDefinitions(campaignYaml(5));
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      config: { definitionsRoot: root, notifyUrl: `${HOOK}/pocket` },
      clock: clock.now,
      profiles: { profile: () => Promise.resolve({ vip: true }) },
    });
  });
  afterAll(async () => {
    nock.cleanAll();
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });
  beforeEach(() => {
    received = [];
  });

  it('fires the burn rate and the stock once each when five packets go in half an hour', async () => {
    for (let i = 0; i < 6; i++) await participate(pocket, `vip-${i}`);
    at('2026-11-11T10:00:00+08:00');
    // The real-time reconciler's threshold alert for the same stock limit goes first: one message, not two.
    await pocket.delivery.realtime?.run();
    expect(seen()).toEqual([['stock.exhausted', 'reward:rp/5', undefined]]);
    received = [];
    const summary = await run();
    expect(summary.fired.sort()).toEqual([
      `${CAMPAIGN}:budget.burn_rate:total`,
      `${CAMPAIGN}:stock.exhausted:rp`,
    ]);
    expect(seen()).toEqual([['budget.burn_rate', 'burn:total#1', 'firing']]);
    const burn = received.find((m) => m.event === 'budget.burn_rate');
    // 500 spent in the last hour, 2,500 left: out at 15:00, nine hours before the window ends.
    expect(burn?.details).toMatchObject({
      scope: 'total',
      limit: 3000,
      spent: 500,
      remaining: 2500,
      perHour: 500,
      exhaustsAt: '2026-11-11T07:00:00.000Z',
      episode: 1,
    });
    at('2026-11-11T10:01:00+08:00');
    expect((await run()).fired).toEqual([]);
    expect(received).toHaveLength(1);
  });

  it('another worker evaluating the same state sends nothing twice', async () => {
    const other = new AlertEvaluator({
      db: backends.ledger.db,
      registry: pocket.registry,
      alerts: pocket.delivery.alerts,
      episodes: new KnexAlertEpisodeStore(),
      stats: new KnexRequestStatsStore(),
      spend: new KnexSpendReads(),
      grants: new KnexGrantStore(),
      clock: clock.now,
      logger: silentLogger(),
    });
    expect(await other.run()).toMatchObject({ fired: [], recovered: [] });
    expect(received).toEqual([]);
  });

  it('recovers the burn rate once spending stops, and the stock once a publish raises it', async () => {
    at('2026-11-11T11:31:00+08:00');
    expect((await run()).recovered).toEqual([`${CAMPAIGN}:budget.burn_rate:total`]);
    expect(seen()).toEqual([['budget.burn_rate', 'burn:total#1/resolved', 'resolved']]);
    writeFileSync(join(root, 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml(10));
    await publishLocalDefinitions({ lifecycle: pocket.lifecycle, root, logger: silentLogger() });
    await pocket.registry.refresh();
    await run();
    expect(seen()).toEqual([
      ['budget.burn_rate', 'burn:total#1/resolved', 'resolved'],
      ['stock.exhausted', 'reward:rp/5/resolved', 'resolved'],
    ]);
    for (let i = 10; i < 15; i++) await participate(pocket, `vip-${i}`);
    at('2026-11-11T11:32:00+08:00');
    await run();
    // Five more packets in a minute: the stock runs out at its new limit, and the pace is back: a second episode.
    expect(seen().slice(2).sort()).toEqual([
      ['budget.burn_rate', 'burn:total#2', 'firing'],
      ['stock.exhausted', 'reward:rp/10', 'firing'],
    ]);
  });

  it('ends the episode at the old limit and opens one at the new when stock is raised and used up between runs', async () => {
    received = [];
    writeFileSync(join(root, 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml(15));
    await publishLocalDefinitions({ lifecycle: pocket.lifecycle, root, logger: silentLogger() });
    await pocket.registry.refresh();
    for (let i = 15; i < 20; i++) await participate(pocket, `vip-${i}`);
    at('2026-11-11T11:33:00+08:00');
    await run();
    const stock = received.filter((m) => m.event === 'stock.exhausted');
    expect(stock.map((m) => [m.occurrence, m.details['status'], m.details['episode']])).toEqual([
      ['reward:rp/10/resolved', 'resolved', 2],
      ['reward:rp/15', 'firing', 3],
    ]);
  });

  // Six of thirty requests (20%) in five minutes; 404s count as requests but not as errors.
  const spikes: Array<[string, 'unavailable' | 'errors', string, (i: number) => number]> = [
    ['503s', 'unavailable', '12:00', (i) => (i < 6 ? 503 : 201)],
    ['other 5xx', 'errors', '12:20', (i) => (i < 3 ? 500 : i < 6 ? 502 : i < 8 ? 404 : 201)],
  ];
  it.each(spikes)(
    'fires on a spike of %s (kind %s) among the service’s requests and recovers when they stop',
    async (_what, kind, hhmm, status) => {
      const start = new Date(`2026-11-11T${hhmm}:00+08:00`).getTime();
      at(new Date(start).toISOString());
      for (let i = 0; i < 30; i++) pocket.requestStats.record(status(i));
      await pocket.requestStats.flush();
      await run();
      expect(seen()).toEqual([['errors.spike', `${kind}#1`, 'firing']]);
      expect(received[0]).toMatchObject({
        campaignId: null,
        details: { kind, requests: 30, count: 6, ratio: 0.2, windowMinutes: 5 },
      });
      // Five minutes on, just after the minute turns (when the job runs), that first minute is still in the window.
      at(new Date(start + 5 * 60_000 + 5).toISOString());
      await run();
      expect(seen()).toEqual([['errors.spike', `${kind}#1`, 'firing']]);
      at(new Date(start + 6 * 60_000).toISOString());
      for (let i = 0; i < 40; i++) pocket.requestStats.record(200);
      await pocket.requestStats.flush();
      await run();
      expect(seen()).toEqual([
        ['errors.spike', `${kind}#1`, 'firing'],
        ['errors.spike', `${kind}#1/resolved`, 'resolved'],
      ]);
    },
  );

  it('counts every answered request by status, leaving probes out', async () => {
    at('2026-11-11T13:00:00+08:00');
    await participate(pocket, 'vip-counted');
    await request(pocket.app).get('/no/such/route');
    await request(pocket.app).get('/healthz');
    await request(pocket.app).get('/metrics');
    await pocket.requestStats.flush();
    const counts = await new KnexRequestStatsStore().since(backends.ledger.db, clock.now());
    expect(counts).toEqual({ total: 2, errors: 0, unavailable: 0 });
  });
});
