/**
 * Decision traces on both backends: a tester asking with ?trace=1 gets the facts, every condition's result,
 * the candidates and the draw, the hot counters before and after and each step's time in the answer; the
 * stored answer and its replays never carry one; anyone else's ?trace=1 is ignored; `log: fine` logs the
 * trace for everyone without a real user's facts, and a real user's counters show the grant after, not before
 * (a tester spends nothing, so only a real user's trace can tell them apart); `trace: none` traces nobody.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../../../src/observability/logger';
import type { DecisionTrace } from '../../../src/observability/trace/decision-trace';
import type { Pocket } from '../../../src/server';
import { OpenApiContract } from '../../helpers/openapi-contract';
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
const PATH = '/v1/campaigns/{id}/participations';

function variant(id: string, observability: string): string {
  return `id: ${id}
name: ${id}
owner: observability-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
budget: { currency: CNY, total: 10000, daily: 5000 }
rewards:
  - { id: rp, type: red_packet, amount: { min: 100, max: 100 }, stock: 10 }
segments:
  - id: vips
    when: vip
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
testers:
  - { userId: qa-1, profile: { vip: true } }
observability: ${observability}
`;
}

describeEachBackend('decision traces', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  const contract = new OpenApiContract();
  const lines: Line[] = [];
  const logged = (userId: string): Line | undefined =>
    lines.filter((l) => l['msg'] === 'participation' && l['userId'] === userId).at(-1);

  beforeAll(async () => {
    root = writeReportDefinitions();
    writeFileSync(
      join(root, 'campaigns', 'fine-sale.yaml'),
      variant('fine-sale', '{ trace: testers, log: fine }'),
    );
    writeFileSync(
      join(root, 'campaigns', 'quiet-sale.yaml'),
      variant('quiet-sale', '{ trace: none, log: coarse }'),
    );
    backends = await createBackends(backend);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
        done();
      },
    });
    pocket = await reportPocket(backends, root, new MovingClock(), { logger: createLogger('info', sink) });
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it('gives a tester who asks the whole decision in the answer, documented in openapi.json', async () => {
    const res = await participate(pocket, 'qa-1', { key: 'traced', query: '?trace=1' });
    contract.check('post', PATH, res);
    expect(res.status).toBe(201);
    const trace = (res.body as { trace: DecisionTrace }).trace;
    expect(trace).toMatchObject({
      campaignId: CAMPAIGN,
      campaignVersion: 1,
      businessDate: '2026-11-11',
      tester: true,
      facts: { profile: { vip: true }, context: {}, history: { grants: 0 } },
      segment: 'vips',
    });
    expect(trace.segments.map((s) => [s.segment, s.matched])).toEqual([
      ['vips', true],
      ['members', false],
    ]);
    expect(trace.segments[0]?.conditions).toEqual([
      expect.objectContaining({
        fact: 'profile',
        operator: 'equal',
        value: true,
        factValue: true,
        result: true,
      }),
    ]);
    expect(trace.choices).toEqual([
      expect.objectContaining({
        strategy: 'weighted',
        picked: 'rp-vip',
        amount: 100,
        charge: 100,
        reserve: 'ok',
        draw: expect.any(Number),
      }),
    ]);
    expect(trace.choices[0]?.candidates).toEqual([
      expect.objectContaining({ rewardId: 'rp-vip', selected: true, stockLeft: 3 }),
    ]);
    // A tester spends nothing: the counters are the same after.
    expect(trace.counters).toEqual({
      before: { stockUsed: {}, spent: 0, dailySpent: 0 },
      after: { stockUsed: {}, spent: 0, dailySpent: 0 },
    });
    for (const step of [
      'idempotency',
      'pin',
      'live',
      'lock',
      'facts',
      'segment',
      'choice',
      'reserve',
      'ledger',
    ]) {
      expect([step, typeof trace.steps[step as keyof DecisionTrace['steps']]]).toEqual([step, 'number']);
    }
    // Counted apart from real users' participations, as its grant is (test="true").
    const m = parsePrometheus((await request(pocket.app).get('/metrics')).text);
    const counted = (test: string): number | undefined =>
      m.get(
        sample('pocket_participations_total', {
          campaign: CAMPAIGN,
          outcome: 'granted',
          reason: 'granted',
          test,
        }),
      );
    expect([counted('true'), counted('false')]).toEqual([1, undefined]);
  });

  it('stores and replays the answer without a trace', async () => {
    const first = await participate(pocket, 'qa-1', { key: 'traced', query: '?trace=1' });
    expect(first.headers['idempotent-replayed']).toBe('true');
    expect(first.text).not.toContain('"trace"');
    const plain = await participate(pocket, 'qa-1', { key: 'traced' });
    expect(plain.text).toBe(first.text);
    const row = (await backends.ledger.db('participations').where({ idem_key: 'traced' }).first()) as {
      response: string;
    };
    expect(row.response).toBe(first.text);
  });

  it('ignores ?trace=1 from anyone but a tester, and a tester without it gets none in the answer', async () => {
    const vip = await participate(pocket, 'vip-nosy', { query: '?trace=1' });
    expect([vip.status, 'trace' in (vip.body as object)]).toEqual([201, false]);
    expect(logged('vip-nosy')?.['trace']).toBeUndefined();
    const quiet = await participate(pocket, 'qa-1', { key: 'second' });
    expect('trace' in (quiet.body as object)).toBe(false);
    // …but a tester's participation is logged fine, facts included (a synthetic profile).
    const line = logged('qa-1');
    expect(line).toMatchObject({
      tester: true,
      segment: 'vips',
      steps: expect.objectContaining({ lock: expect.any(Number) }),
    });
    expect((line?.['trace'] as DecisionTrace).facts?.profile).toEqual({ vip: true });
  });

  it('log: fine traces everyone into the log, without a real user’s facts; trace: none traces nobody', async () => {
    const fine = await request(pocket.app)
      .post('/v1/campaigns/fine-sale/participations?trace=1')
      .set('Idempotency-Key', 'fine-1')
      .send({ userId: 'vip-fine' });
    expect([fine.status, 'trace' in (fine.body as object)]).toEqual([201, false]);
    const line = logged('vip-fine');
    const trace = line?.['trace'] as DecisionTrace;
    expect(trace).toMatchObject({ segment: 'vips', facts: null, tester: false });
    expect(trace.segments[0]?.conditions[0]).toMatchObject({ result: true });
    expect(trace.segments[0]?.conditions[0]?.factValue).toBeUndefined();
    const quiet = await request(pocket.app)
      .post('/v1/campaigns/quiet-sale/participations?trace=1')
      .set('Idempotency-Key', 'quiet-1')
      .send({ userId: 'qa-1' });
    expect([quiet.status, 'trace' in (quiet.body as object)]).toEqual([201, false]);
    expect(lines.filter((l) => l['campaign'] === 'quiet-sale').map((l) => l['trace'])).toEqual([undefined]);
  });

  it('log: fine shows a real user’s grant in the counters after, and not in the counters before', async () => {
    const counters = async (userId: string): Promise<DecisionTrace['counters']> => {
      const res = await request(pocket.app)
        .post('/v1/campaigns/fine-sale/participations')
        .set('Idempotency-Key', `counted-${userId}`)
        .send({ userId });
      expect([res.status, (res.body as { grant?: { charge?: number } }).grant?.charge]).toEqual([201, 100]);
      return (logged(userId)?.['trace'] as DecisionTrace).counters;
    };
    // vip-fine (the test above) took the first packet.
    expect(await counters('vip-counted-1')).toEqual({
      before: { stockUsed: { rp: 1 }, spent: 100, dailySpent: 100 },
      after: { stockUsed: { rp: 2 }, spent: 200, dailySpent: 200 },
    });
    expect(await counters('vip-counted-2')).toEqual({
      before: { stockUsed: { rp: 2 }, spent: 200, dailySpent: 200 },
      after: { stockUsed: { rp: 3 }, spent: 300, dailySpent: 300 },
    });
  });

  it('times every step into the step histogram', async () => {
    const m = parsePrometheus(await pocket.metrics.registry.metrics());
    for (const step of [
      'idempotency',
      'lock',
      'facts',
      'segment',
      'choice',
      'reserve',
      'ledger',
      'unlock',
      'trace',
    ]) {
      expect([
        step,
        (m.get(sample('pocket_pipeline_step_duration_seconds_count', { step })) ?? 0) > 0,
      ]).toEqual([step, true]);
    }
  });
});
