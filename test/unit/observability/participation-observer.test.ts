import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';
import { PocketMetrics } from '../../../src/observability/metrics/pocket-metrics';
import {
  LoggingObserver,
  outcomeClass,
  participationLine,
  type ParticipationEvent,
} from '../../../src/observability/participation-observer';
import type { DecisionTrace } from '../../../src/observability/trace/decision-trace';
import { StepTimer } from '../../../src/observability/trace/step-timer';
import { tracePolicy, type TraceRecorder } from '../../../src/observability/trace/trace-recorder';
import {
  answerWithTrace,
  participationEvent,
  withObservation,
} from '../../../src/observability/participation-event';
import type { Answer } from '../../../src/participation/outcomes';
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';
import { parsePrometheus, sample } from '../../helpers/prometheus-text';

const trace: DecisionTrace = {
  campaignId: 'sale',
  campaignVersion: 2,
  businessDate: '2026-11-11',
  tester: false,
  facts: {
    profile: { age: 22, city: 'hz' },
    context: { channel: 'app' },
    history: { participations: 0, grants: 0, grantsToday: 0, rewards: {} },
  },
  segments: [
    {
      segment: 'young',
      rule: 'young',
      matched: true,
      conditions: [
        {
          rule: 'young',
          path: 'all[0]',
          fact: 'profile',
          factPath: 'age',
          operator: 'lessThan',
          value: 30,
          factValue: 22,
          result: true,
        },
      ],
    },
  ],
  segment: 'young',
  fraud: {},
  choices: [],
  counters: { before: null, after: null },
  steps: { lock: 0.4 },
};

function event(overrides: Partial<ParticipationEvent> = {}): ParticipationEvent {
  return {
    requestId: 'req-1',
    campaignId: 'sale',
    version: 2,
    known: true,
    userId: 'u-1',
    outcome: 'granted',
    status: 201,
    replayed: false,
    unavailable: null,
    tester: false,
    segment: 'young',
    grant: { rewardId: 'rp', type: 'red_packet', amount: 120, charge: 120, currency: 'CNY', test: false },
    latencyMs: 3.25,
    steps: { lock: 0.4, ledger: 1.5 },
    fine: false,
    trace: null,
    ...overrides,
  };
}

function capture(): {
  lines: Array<Record<string, unknown>>;
  observer: LoggingObserver;
  metrics: PocketMetrics;
} {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new PocketMetrics(null, { defaultMetrics: false });
  return { lines, observer: new LoggingObserver(createLogger('info', sink), metrics), metrics };
}

describe('participation log line', () => {
  it('is coarse by default: campaign, version, outcome, reason, reward, latency, request id and the user id only', () => {
    expect(participationLine(event())).toEqual({
      requestId: 'req-1',
      campaign: 'sale',
      version: 2,
      userId: 'u-1',
      outcome: 'granted',
      reason: 'granted',
      reward: 'rp',
      status: 201,
      latencyMs: 3.25,
    });
    expect(participationLine(event({ status: 200, outcome: 'out_of_stock', grant: null }))).toMatchObject({
      outcome: 'refused',
      reason: 'out_of_stock',
      reward: null,
    });
  });

  it('is fine with the steps, the grant and the trace, without a real user’s facts', () => {
    const line = participationLine(event({ fine: true, trace }));
    expect(line).toMatchObject({
      segment: 'young',
      steps: { lock: 0.4, ledger: 1.5 },
      grant: { charge: 120 },
    });
    const logged = line['trace'] as DecisionTrace;
    expect(logged.facts).toBeNull();
    expect(logged.segments[0]?.conditions[0]).toEqual(
      expect.objectContaining({ result: true, factValue: undefined }),
    );
    expect(JSON.stringify(line)).not.toContain('hz');
    const tester = participationLine(event({ fine: true, tester: true, trace: { ...trace, tester: true } }));
    expect((tester['trace'] as DecisionTrace).facts?.profile).toEqual({ age: 22, city: 'hz' });
    expect(tester['tester']).toBe(true);
  });

  it('classes outcomes by status', () => {
    expect([201, 200, 403, 400, 404, 409, 422, 429, 503, 500].map(outcomeClass)).toEqual([
      'granted',
      'refused',
      'forbidden',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'unavailable',
      'error',
    ]);
  });
});

describe('LoggingObserver', () => {
  it('writes one line per participation and counts it', async () => {
    const { lines, observer, metrics } = capture();
    observer.observe(event());
    observer.observe(event({ outcome: 'rate_limited', status: 429, grant: null, steps: {} }));
    observer.observe(event({ outcome: 'risk_denied', status: 403, grant: null }));
    observer.observe(event({ replayed: true }));
    observer.observe(
      event({ campaignId: 'made-up', known: false, outcome: 'campaign_not_found', status: 404, grant: null }),
    );
    observer.observe(
      event({
        grant: { rewardId: 'rp', type: 'red_packet', amount: 50, charge: 50, currency: 'CNY', test: true },
        tester: true,
      }),
    );
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatchObject({
      msg: 'participation',
      campaign: 'sale',
      requestId: 'req-1',
      service: 'pocket',
    });
    const m = parsePrometheus(await metrics.registry.metrics());
    const p = (campaign: string, outcome: string, reason: string, test = 'false') =>
      m.get(sample('pocket_participations_total', { campaign, outcome, reason, test }));
    expect([
      p('sale', 'granted', 'granted'),
      p('sale', 'granted', 'granted', 'true'),
      p('sale', 'replayed', 'granted'),
      p('sale', 'rejected', 'rate_limited'),
      p('(unknown)', 'rejected', 'campaign_not_found'),
    ]).toEqual([1, 1, 1, 1, 1]);
    expect(
      m.get(
        sample('pocket_grants_total', { campaign: 'sale', reward: 'rp', type: 'red_packet', test: 'false' }),
      ),
    ).toBe(1);
    expect(
      m.get(
        sample('pocket_grants_total', { campaign: 'sale', reward: 'rp', type: 'red_packet', test: 'true' }),
      ),
    ).toBe(1);
    expect(
      m.get(sample('pocket_spend_minor_total', { campaign: 'sale', reward: 'rp', currency: 'CNY' })),
    ).toBe(120);
    expect(m.get(sample('pocket_rate_limited_total', { campaign: 'sale' }))).toBe(1);
    expect(m.get(sample('pocket_fraud_rejections_total', { campaign: 'sale', reason: 'risk_denied' }))).toBe(
      1,
    );
    expect(m.get(sample('pocket_pipeline_step_duration_seconds_count', { step: 'ledger' }))).toBe(5);
    expect(
      m.get(sample('pocket_participation_duration_seconds_count', { campaign: 'sale', outcome: 'granted' })),
    ).toBe(2);
  });
});

describe('pocket_dependency_unavailable_total', () => {
  it('counts 503s by the dependency that failed; no other answer, and no replay, counts', async () => {
    const { observer, metrics } = capture();
    const down = (dependency: string, detail = `${dependency} is unavailable`) =>
      event({
        outcome: 'dependency_unavailable',
        status: 503,
        grant: null,
        unavailable: { dependency, detail },
      });
    observer.observe(down('hot-state'));
    observer.observe(down('hot-state', 'hot counters are being rebuilt from the ledger; retry shortly'));
    observer.observe(down('profile'));
    observer.observe({ ...down('ledger'), campaignId: 'made-up', known: false });
    observer.observe({ ...down('hot-state'), replayed: true });
    observer.observe(event());
    observer.observe(event({ outcome: 'reports_busy', status: 503, grant: null }));
    const m = parsePrometheus(await metrics.registry.metrics());
    const unavailable = (campaign: string, dependency: string) =>
      m.get(sample('pocket_dependency_unavailable_total', { campaign, dependency }));
    expect([
      unavailable('sale', 'hot-state'),
      unavailable('sale', 'profile'),
      unavailable('(unknown)', 'ledger'),
      unavailable('sale', 'ledger'),
    ]).toEqual([2, 1, 1, undefined]);
    expect([...m.keys()].filter((k) => k.startsWith('pocket_dependency_unavailable_total')).length).toBe(3);
  });
});

describe('tracePolicy', () => {
  it('counts anti-fraud and activity-code 403s as fraud rejections, not client auth ones', async () => {
    const { observer, metrics } = capture();
    for (const outcome of ['blocked', 'code_used', 'forbidden_scope', 'user_mismatch'])
      observer.observe(event({ outcome, status: 403, grant: null }));
    const m = parsePrometheus(await metrics.registry.metrics());
    const fraud = (reason: string) =>
      m.get(sample('pocket_fraud_rejections_total', { campaign: 'sale', reason }));
    expect(['blocked', 'code_used', 'forbidden_scope', 'user_mismatch'].map(fraud)).toEqual([
      1,
      1,
      undefined,
      undefined,
    ]);
  });

  it('traces testers unless the campaign says none, returns it only when asked, logs fine for everyone on log: fine', () => {
    const none = {};
    expect(tracePolicy(none, true, true)).toEqual({ record: true, respond: true, fine: true });
    expect(tracePolicy(none, true, false)).toEqual({ record: true, respond: false, fine: true });
    expect(tracePolicy(none, false, true)).toEqual({ record: false, respond: false, fine: false });
    expect(tracePolicy({ observability: { trace: 'none' } }, true, true)).toEqual({
      record: false,
      respond: false,
      fine: false,
    });
    expect(tracePolicy({ observability: { trace: 'none', log: 'fine' } }, false, true)).toEqual({
      record: true,
      respond: false,
      fine: true,
    });
    expect(tracePolicy({ observability: { log: 'fine' } }, true, true)).toEqual({
      record: true,
      respond: true,
      fine: true,
    });
  });
});

describe('StepTimer', () => {
  it('charges the time since the last lap to each step, adding up repeats, in pipeline order', () => {
    let now = 100;
    const timer = new StepTimer(() => now);
    now = 100.5;
    timer.lap('idempotency');
    now = 102;
    timer.lap('reserve');
    now = 102.25;
    timer.lap('choice');
    now = 103;
    timer.lap('reserve');
    expect(timer.steps()).toEqual({ idempotency: 0.5, choice: 0.25, reserve: 2.25 });
    expect(Object.keys(timer.steps())).toEqual(['idempotency', 'choice', 'reserve']);
    now = 104.0004;
    expect(timer.elapsed()).toBe(4);
  });
});

describe('answerWithTrace / withObservation', () => {
  const recorder = (respond: boolean) =>
    ({ respond, segmentId: 'young', build: () => trace }) as unknown as TraceRecorder;
  const granted = (): Answer => ({
    status: 201,
    final: true,
    outcome: 'granted',
    body: '{"outcome":"granted","campaignVersion":2}',
  });

  it('adds the trace to the body sent, never to the answer stored', () => {
    const answer = withObservation(granted(), new StepTimer(), recorder(true));
    const sent = answerWithTrace(answer);
    expect(JSON.parse(sent.body)).toEqual({
      outcome: 'granted',
      campaignVersion: 2,
      trace: JSON.parse(JSON.stringify(trace)),
    });
    expect(answer.body).toBe('{"outcome":"granted","campaignVersion":2}');
    expect(answer.observation).toMatchObject({ segment: 'young', respond: true });
  });

  it('sends no trace unless asked, on a replay, or on an error answer', () => {
    expect(answerWithTrace(withObservation(granted(), new StepTimer(), recorder(false))).body).not.toContain(
      'trace',
    );
    const replay = { ...granted(), headers: { 'Idempotent-Replayed': 'true' } };
    expect(answerWithTrace(withObservation(replay, new StepTimer(), recorder(true))).body).not.toContain(
      'trace',
    );
    const forbidden: Answer = {
      status: 403,
      final: true,
      outcome: 'blocked',
      body: '{"error":{"code":"blocked"}}',
    };
    expect(answerWithTrace(withObservation(forbidden, new StepTimer(), recorder(true))).body).toBe(
      forbidden.body,
    );
    expect(withObservation(granted(), new StepTimer(), null).observation).toEqual({
      steps: {},
      segment: null,
      trace: null,
      respond: false,
      version: null,
    });
  });
});

describe('participationEvent version', () => {
  const snapshot = { version: 3, testers: new Set<string>(), definition: {} } as unknown as CampaignSnapshot;
  const forbidden = (headers?: Record<string, string>): Answer => ({
    status: 403,
    final: true,
    outcome: 'code_used',
    body: '{"error":{"code":"code_used","message":"used"}}',
    ...(headers ? { headers } : {}),
  });
  const pinnedTimer = (): StepTimer => {
    const timer = new StepTimer();
    timer.lap('idempotency');
    timer.lap('pin');
    return timer;
  };
  const versionOf = (answer: Answer, known = snapshot): number | null =>
    participationEvent({
      request: { campaignId: 'sale', userId: 'u-1', trace: false },
      requestId: null,
      answer,
      latencyMs: 1,
      snapshot: known,
    }).version;

  it('is the pinned version on a 403, whose body does not carry it', () => {
    expect(versionOf(withObservation(forbidden(), pinnedTimer(), null))).toBe(3);
    // What the pipeline says it pinned wins over the registry's snapshot (a publish may have landed since).
    expect(versionOf(withObservation(forbidden(), pinnedTimer(), null, 2))).toBe(2);
    const traced = {
      respond: false,
      segmentId: null,
      version: 4,
      build: () => trace,
    } as unknown as TraceRecorder;
    expect(versionOf(withObservation(forbidden(), pinnedTimer(), traced))).toBe(4);
  });

  it("is a replay's stored version, which its 403 body does not carry either", () => {
    const replay = { ...forbidden({ 'Idempotent-Replayed': 'true' }), storedVersion: 2 };
    expect(versionOf(withObservation(replay, pinnedTimer(), null))).toBe(2);
  });

  it('is null when nothing was pinned: a replay stored before any, or a request stopped before the pin', () => {
    const replay = forbidden({ 'Idempotent-Replayed': 'true' });
    expect(versionOf(withObservation(replay, pinnedTimer(), null))).toBeNull();
    const early = new StepTimer();
    early.lap('idempotency');
    expect(versionOf(withObservation(forbidden(), early, null))).toBeNull();
  });
});

describe('participationEvent grant currency', () => {
  // The registry's snapshot now: a later version whose budget moved to another currency.
  const snapshot = {
    version: 3,
    testers: new Set<string>(),
    definition: { budget: { currency: 'JPY' } },
  } as unknown as CampaignSnapshot;
  const currencyOf = (grant: Record<string, unknown>): string | null | undefined =>
    participationEvent({
      request: { campaignId: 'sale', userId: 'u-1', trace: false },
      requestId: null,
      answer: {
        status: 201,
        final: true,
        outcome: 'granted',
        body: JSON.stringify({ outcome: 'granted', grant: { rewardId: 'rp', type: 'red_packet', ...grant } }),
        headers: { 'Idempotent-Replayed': 'true' },
      },
      latencyMs: 1,
      snapshot,
    }).grant?.currency;

  it("is the answer's own, the version that granted it, not the registry's snapshot", () => {
    expect(currencyOf({ amount: 50, charge: 50, test: false, currency: 'CNY' })).toBe('CNY');
    expect(currencyOf({ amount: 50, charge: 50, test: false, currency: null })).toBeNull();
  });

  it("is the snapshot's for an answer stored before answers carried one (replayed byte for byte)", () => {
    expect(currencyOf({ amount: 50, charge: 50, test: false })).toBe('JPY');
  });
});
