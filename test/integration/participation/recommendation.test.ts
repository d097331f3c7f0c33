/**
 * The recommendation service through the participation endpoint, on both backends, wired from
 * RECOMMEND_URL / RECOMMEND_TIMEOUT_MS by the composition root (nock stands in for the service only): an
 * efficiency campaign grants the reward the service scores highest over the YAML's pick; a failing service
 * (500, timeout, bad answer) leaves the YAML choice, still granted, with the fallback in the stored decision;
 * a weighted campaign never asks the service.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import type { DecisionTrace } from '../../../src/observability/trace/decision-trace';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { join_, NOW, participationRows, profiles } from '../protection/protection-fixtures';

const RECOMMEND = 'http://recommend.test';

/** YAML alone: coupon-a (score 2 / 100) beats coupon-b (score 1 / 100) under efficiency. */
function campaign(id: string, strategy: 'efficiency' | 'weighted'): string {
  return `id: ${id}
name: ${id}
owner: recommendation-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none, channels: [app] }
limits: { perUser: { total: 100, daily: 100 } }
budget: { currency: CNY, total: 100000000 }
rewards:
  - { id: coupon-a, type: coupon, value: 1000, cost: 100, stock: 100000 }
  - { id: coupon-b, type: coupon, value: 1000, cost: 100, stock: 100000 }
  - { id: thanks, type: none }
segments:
  - id: everyone
    rewards:
      - { reward: coupon-a, weight: 1, score: 2 }
      - { reward: coupon-b, weight: 1, score: 1 }
      - { reward: thanks, weight: 1 }
decision: { strategy: ${strategy}, fallback: thanks }
testers:
  - { userId: qa-1, profile: {} }
`;
}

describeEachBackend('recommendation service', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
    root = mkdtempSync(join(tmpdir(), 'pocket-recommend-'));
    mkdirSync(join(root, 'campaigns'));
    writeFileSync(join(root, 'campaigns', 'eff.yaml'), campaign('eff', 'efficiency'));
    writeFileSync(join(root, 'campaigns', 'draw.yaml'), campaign('draw', 'weighted'));
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles(),
      // Long enough for nock's answer on a busy CI host (at 200 ms a bad-score case once timed out instead).
      config: { definitionsRoot: root, recommendUrl: RECOMMEND, recommendTimeoutMs: 1000 },
    });
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.abortPendingRequests();
    nock.enableNetConnect();
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  const decisionOf = async (userId: string) =>
    (await participationRows(pocket, { user_id: userId }))[0]?.decision;

  it("grants the reward the service scores highest, over the YAML's pick, and stores the scores", async () => {
    const asked = nock(RECOMMEND)
      .post('/scores', {
        campaignId: 'eff',
        userId: 'scored-user',
        rewardIds: ['coupon-a', 'coupon-b'],
        context: { channel: 'app' },
      })
      .reply(200, { scores: { 'coupon-b': 5 } });
    const res = await join_(pocket, 'eff', 'scored-user');
    expect(res.status).toBe(201);
    expect(res.body.grant).toMatchObject({ rewardId: 'coupon-b', type: 'coupon' });
    expect(asked.isDone()).toBe(true);
    expect(await decisionOf('scored-user')).toMatchObject({
      recommendation: { result: 'scored', scores: { 'coupon-b': 5 } },
      choice: { rewardId: 'coupon-b' },
    });
  });

  it('a reward the service leaves out keeps its YAML score', async () => {
    nock(RECOMMEND)
      .post('/scores')
      .reply(200, { scores: { 'coupon-a': 0.5 } }); // coupon-b keeps its YAML 1: it wins
    const res = await join_(pocket, 'eff', 'partial-user');
    expect(res.body.grant).toMatchObject({ rewardId: 'coupon-b' });
  });

  it.each([
    ['answers 500', () => nock(RECOMMEND).post('/scores').reply(500, 'boom'), /answered 500/],
    [
      'times out',
      () =>
        nock(RECOMMEND)
          .post('/scores')
          .delay(3000)
          .reply(200, { scores: { 'coupon-b': 5 } }),
      /did not answer within 1000 ms/,
    ],
    [
      'answers a bad score',
      () =>
        nock(RECOMMEND)
          .post('/scores')
          .reply(200, { scores: { 'coupon-b': -5 } }),
      /not a finite number/,
    ],
  ])(
    'when the service %s, the YAML choice is granted and the decision records the fallback',
    async (_name, mock, error) => {
      const scope = mock();
      const userId = `fallback-${_name.replace(/\W+/g, '-')}`;
      const res = await join_(pocket, 'eff', userId);
      expect(res.status).toBe(201);
      expect(res.body.grant).toMatchObject({ rewardId: 'coupon-a' });
      expect(scope.isDone()).toBe(true);
      expect(await decisionOf(userId)).toMatchObject({
        recommendation: { result: 'fallback', error: expect.stringMatching(error) },
        choice: { rewardId: 'coupon-a' },
      });
    },
  );

  it("a tester's trace shows which scores came from the service", async () => {
    nock(RECOMMEND)
      .post('/scores')
      .reply(200, { scores: { 'coupon-b': 5 } });
    const res = await request(pocket.app)
      .post('/v1/campaigns/eff/participations?trace=1')
      .set('Idempotency-Key', 'traced')
      .send({ userId: 'qa-1', context: { channel: 'app' } });
    expect(res.status).toBe(201);
    const trace = res.body.trace as DecisionTrace;
    expect(trace.choices[0]?.candidates.map((c) => [c.rewardId, c.score, c.scoreSource])).toEqual([
      ['coupon-a', 2, 'yaml'],
      ['coupon-b', 5, 'recommendation'],
      ['thanks', 1, 'default'],
    ]);
    expect(trace.steps.recommend).toEqual(expect.any(Number));
  });

  it('a weighted campaign never asks the service', async () => {
    const scope = nock(RECOMMEND)
      .post('/scores')
      .reply(200, { scores: { 'coupon-b': 5 } });
    const res = await join_(pocket, 'draw', 'weighted-user');
    expect(res.status).toBe(201);
    expect(scope.isDone()).toBe(false);
    const decision = await decisionOf('weighted-user');
    expect(decision).toMatchObject({ choice: { source: 'strategy' } });
    expect(decision).not.toHaveProperty('recommendation');
  });
});
