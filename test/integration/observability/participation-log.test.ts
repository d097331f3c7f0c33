/**
 * One structured log line per participation and its metrics, on both backends: campaign, version, outcome,
 * reason, reward, status, latency and the request id the answer carries, with no personal data beyond the user
 * id; replays and unknown campaigns are marked and counted apart; a 503 names the dependency that failed, in the log line
 * and in pocket_dependency_unavailable_total.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { HttpProfileSource } from '../../../src/integrations/http-profile-source';
import { createLogger } from '../../../src/observability/logger';
import { ParticipationService } from '../../../src/participation/participation-service';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, removeDir, type TestBackends } from '../../helpers/pocket';
import { parsePrometheus, sample } from '../../helpers/prometheus-text';
import {
  CAMPAIGN,
  MovingClock,
  participate,
  reportPocket,
  writeReportDefinitions,
} from './observability-fixtures';

type Line = Record<string, unknown>;

describeEachBackend('participation log lines and metrics', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  const lines: Line[] = [];
  const participations = (): Line[] => lines.filter((l) => l['msg'] === 'participation');
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });

  beforeAll(async () => {
    root = writeReportDefinitions();
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, new MovingClock(), { logger: createLogger('info', sink) });
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('writes one coarse line per participation, with the request id the answer carries', async () => {
    const granted = await request(pocket.app)
      .post(`/v1/campaigns/${CAMPAIGN}/participations`)
      .set('Idempotency-Key', 'log-1')
      .set('X-Request-Id', 'gw-123')
      .send({ userId: 'vip-log', context: { channel: 'app', deviceId: 'device-secret-1' } });
    const refused = await participate(pocket, 'stranger-log');
    expect([granted.status, refused.status]).toEqual([201, 200]);
    const [first, second] = participations();
    expect(participations()).toHaveLength(2);
    expect(first).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'pocket',
      msg: 'participation',
      requestId: 'gw-123',
      campaign: CAMPAIGN,
      version: 1,
      userId: 'vip-log',
      outcome: 'granted',
      reason: 'granted',
      reward: 'rp-vip',
      status: 201,
      latencyMs: expect.any(Number),
    });
    expect(second).toMatchObject({
      requestId: refused.headers['x-request-id'],
      outcome: 'refused',
      reason: 'not_eligible',
      reward: null,
      status: 200,
    });
    // Nothing of the request or the profile but the user id.
    expect(JSON.stringify(participations())).not.toMatch(/device-secret|"vip":|127\.0\.0\.1|::ffff/);
  });

  it('marks replays, names unknown campaigns, and logs the unexpected 500s too', async () => {
    await participate(pocket, 'member-log', { key: 'replayed-key' });
    await participate(pocket, 'member-log', { key: 'replayed-key' });
    await request(pocket.app)
      .post('/v1/campaigns/no-such-sale/participations')
      .set('Idempotency-Key', 'k')
      .send({ userId: 'u' });
    jest.spyOn(ParticipationService.prototype, 'participate').mockRejectedValueOnce(new Error('boom'));
    const boom = await participate(pocket, 'member-boom');
    expect(boom.status).toBe(500);
    const [original, replay, unknown, failed] = participations();
    expect(failed).toMatchObject({
      outcome: 'error',
      reason: 'internal_error',
      status: 500,
      userId: 'member-boom',
    });
    expect(original?.['replayed']).toBeUndefined();
    expect(replay).toMatchObject({ replayed: true, outcome: 'granted', reward: 'cp' });
    expect(unknown).toMatchObject({
      campaign: 'no-such-sale',
      version: null,
      outcome: 'rejected',
      reason: 'campaign_not_found',
      status: 404,
    });
  });

  it('counts participations, grants and spend by campaign, outcome, reason and reward', async () => {
    jest.restoreAllMocks();
    const m = parsePrometheus((await request(pocket.app).get('/metrics')).text);
    const p = (campaign: string, outcome: string, reason: string): number | undefined =>
      m.get(sample('pocket_participations_total', { campaign, outcome, reason, test: 'false' }));
    expect([
      p(CAMPAIGN, 'granted', 'granted'),
      p(CAMPAIGN, 'refused', 'not_eligible'),
      p(CAMPAIGN, 'replayed', 'granted'),
      p('(unknown)', 'rejected', 'campaign_not_found'),
    ]).toEqual([2, 1, 1, 1]);
    expect(
      m.get(
        sample('pocket_grants_total', {
          campaign: CAMPAIGN,
          reward: 'rp-vip',
          type: 'red_packet',
          test: 'false',
        }),
      ),
    ).toBe(1);
    expect(
      m.get(sample('pocket_spend_minor_total', { campaign: CAMPAIGN, reward: 'cp', currency: 'CNY' })),
    ).toBe(50);
    expect(
      m.get(
        sample('pocket_participation_duration_seconds_count', { campaign: CAMPAIGN, outcome: 'granted' }),
      ),
    ).toBe(2);
  });

  it('names the dependency of a 503 and what it said: "dependency_unavailable" alone does not say which', async () => {
    // A profile service nobody answers on: the participation fails closed.
    const down = await reportPocket(backends, root, new MovingClock(), {
      logger: createLogger('info', sink),
      profiles: new HttpProfileSource({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000, cacheTtlMs: 0 }),
    });
    try {
      lines.length = 0;
      const res = await participate(down, 'member-down');
      expect(res.status).toBe(503);
      expect(participations()).toEqual([
        expect.objectContaining({
          outcome: 'unavailable',
          reason: 'dependency_unavailable',
          status: 503,
          dependency: 'profile',
          detail: 'profile service is unreachable',
        }),
      ]);
      // And on /metrics, so an alert can say which dependency: every 503 of pocket_participations_total is
      // reason dependency_unavailable, whichever failed.
      const m = parsePrometheus((await request(down.app).get('/metrics')).text);
      expect(
        m.get(sample('pocket_dependency_unavailable_total', { campaign: CAMPAIGN, dependency: 'profile' })),
      ).toBe(1);
      expect(
        m.get(
          sample('pocket_participations_total', {
            campaign: CAMPAIGN,
            outcome: 'unavailable',
            reason: 'dependency_unavailable',
            test: 'false',
          }),
        ),
      ).toBe(1);
    } finally {
      await down.close();
    }
  });
});
