/**
 * GET /metrics on both backends: request histograms by route template, the default process metrics, and the
 * state gauges read on scrape (stock and budget remaining from the hot state, delivery backlog and open
 * discrepancies from the ledger); an optional bearer token; a hot state that is down leaves its gauges out
 * and counts the failure instead of failing the scrape.
 */
import request from 'supertest';
import { KnexDiscrepancyStore } from '../../../src/reconciliation/knex-discrepancy-store';
import { RedisHotState } from '../../../src/hot-state/redis-hot-state';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { parsePrometheus, sample } from '../../helpers/prometheus-text';
import {
  CAMPAIGN,
  driveTraffic,
  MovingClock,
  reportPocket,
  writeReportDefinitions,
} from './observability-fixtures';

describeEachBackend('/metrics', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  const clock = new MovingClock();

  beforeAll(async () => {
    root = writeReportDefinitions();
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, clock);
    await driveTraffic(pocket, clock);
    for (const [kind, campaignId] of [
      ['record_mismatch', CAMPAIGN],
      ['unknown_downstream', null],
    ] as const) {
      await new KnexDiscrepancyStore().record(backends.ledger.db, {
        runId: null,
        kind,
        campaignId,
        grantId: null,
        details: {},
        status: 'open',
        createdAt: clock.now(),
      });
    }
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  async function scrape(app = pocket.app): Promise<Map<string, number>> {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.text);
  }

  it('times every request by route template and status, and has the process metrics', async () => {
    const m = await scrape();
    const route = '/v1/campaigns/:id/participations';
    const count = (status: string): number =>
      m.get(sample('pocket_http_request_duration_seconds_count', { method: 'POST', route, status })) ?? 0;
    expect([count('201'), count('200')]).toEqual([8, 5]);
    expect(m.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    await request(pocket.app).get('/no/such/path/123');
    const after = await scrape();
    expect(
      after.get(
        sample('pocket_http_request_duration_seconds_count', {
          method: 'GET',
          route: '(unmatched)',
          status: '404',
        }),
      ),
    ).toBe(1);
    expect([...after.keys()].some((k) => k.includes('/no/such/path'))).toBe(false);
  });

  it('counts no participation for a request refused before the pipeline; times it under the route', async () => {
    const total = (m: Map<string, number>): number =>
      [...m.entries()]
        .filter(([k]) => k.startsWith('pocket_participations_total'))
        .reduce((sum, [, v]) => sum + v, 0);
    const before = await scrape();
    const post = () => request(pocket.app).post(`/v1/campaigns/${CAMPAIGN}/participations`);
    await post().set('Idempotency-Key', 'pre-1').set('Content-Type', 'application/json').send('{"userId": ');
    await post()
      .set('Idempotency-Key', 'pre-2')
      .send({ userId: 'u-1', pad: 'x'.repeat(9000) });
    await post().set('Idempotency-Key', 'pre-3').set('Content-Type', 'text/plain').send('userId=u-1');
    await post().send({ userId: 'u-1' });
    const after = await scrape();
    expect(total(after)).toBe(total(before));
    const route = '/v1/campaigns/:id/participations';
    const grew = (status: string): number => {
      const key = sample('pocket_http_request_duration_seconds_count', { method: 'POST', route, status });
      return (after.get(key) ?? 0) - (before.get(key) ?? 0);
    };
    expect([grew('400'), grew('413'), grew('415')]).toEqual([2, 1, 1]);
  });

  it('reads stock and budget remaining from the hot state, backlog and discrepancies from the ledger', async () => {
    const m = await scrape();
    expect(m.get(sample('pocket_stock_remaining', { campaign: CAMPAIGN, reward: 'rp-vip' }))).toBe(0);
    expect(m.get(sample('pocket_stock_remaining', { campaign: CAMPAIGN, reward: 'cp' }))).toBe(96);
    expect(m.get(sample('pocket_budget_remaining_minor', { campaign: CAMPAIGN, scope: 'total' }))).toBe(9500);
    expect(m.get(sample('pocket_budget_remaining_minor', { campaign: CAMPAIGN, scope: 'daily' }))).toBe(4500);
    expect(m.get(sample('pocket_delivery_backlog', { state: 'pending' }))).toBe(8);
    expect(m.get(sample('pocket_delivery_backlog', { state: 'dead' }))).toBe(0);
    expect(m.get('pocket_delivery_lag_seconds')).toBe(600);
    expect(
      m.get(sample('pocket_reconciliation_discrepancies', { campaign: CAMPAIGN, kind: 'record_mismatch' })),
    ).toBe(1);
    // An issuer's record of no known grant has no campaign: the label says so, as the counters' does.
    expect(
      m.get(
        sample('pocket_reconciliation_discrepancies', { campaign: '(unknown)', kind: 'unknown_downstream' }),
      ),
    ).toBe(1);
  });

  it('echoes a sane X-Request-Id and gives every other request a fresh one', async () => {
    const given = await request(pocket.app).get('/healthz').set('X-Request-Id', 'gw-trace.42:a_b');
    const bad = await request(pocket.app).get('/healthz').set('X-Request-Id', 'no spaces <script>');
    const none = await request(pocket.app).get('/no/such/route');
    expect(given.headers['x-request-id']).toBe('gw-trace.42:a_b');
    for (const res of [bad, none]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const locked = await createTestPocket(backends, {
      config: { definitionsRoot: root, metricsToken: token },
      clock: clock.now,
    });
    try {
      const none = await request(locked.app).get('/metrics');
      const wrong = await request(locked.app).get('/metrics').set('Authorization', 'Bearer nope');
      const right = await request(locked.app).get('/metrics').set('Authorization', `Bearer ${token}`);
      expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
      expect((none.body as { error: { code: string } }).error.code).toBe('unauthenticated');
      expect(right.text).toContain('pocket_stock_remaining');
    } finally {
      await locked.close();
    }
  });
});

describe('/metrics with the hot state down', () => {
  it('leaves the hot-state gauges out, counts the failure and still answers', async () => {
    const backends = await createBackends('sqlite+memory');
    const root = writeReportDefinitions();
    const down = new RedisHotState('redis://127.0.0.1:1', { client: { connectTimeoutMs: 200 } });
    const pocket = await reportPocket(backends, root, new MovingClock(), { hotState: down });
    try {
      const res = await request(pocket.app).get('/metrics');
      expect(res.status).toBe(200);
      const m = parsePrometheus(res.text);
      expect([...m.keys()].some((k) => k.startsWith('pocket_stock_remaining{'))).toBe(false);
      expect(
        m.get(sample('pocket_metrics_state_errors_total', { source: 'campaigns' })),
      ).toBeGreaterThanOrEqual(1);
      expect(m.get(sample('pocket_delivery_backlog', { state: 'pending' }))).toBe(0);
    } finally {
      await pocket.close();
      await backends.destroy();
      removeDir(root);
    }
  });
});
