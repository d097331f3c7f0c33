import nock from 'nock';
import { DependencyUnavailableError } from '../../../src/errors/app-error';
import type { CampaignDefinition, ProtectionDefinition } from '../../../src/definitions/campaign-types';
import { HttpRiskClient } from '../../../src/integrations/http-risk-client';
import type { ParticipationRequest } from '../../../src/participation/participation-request';
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';
import { FraudScreen, type FraudScreenDeps } from '../../../src/protection/fraud-screen';
import { buildFacts } from '../../../src/rules/facts';

const RISK = 'http://risk.test';

function snapshot(protection: ProtectionDefinition): CampaignSnapshot {
  return {
    campaignId: 'sale',
    definition: { id: 'sale', protection } as unknown as CampaignDefinition,
  } as unknown as CampaignSnapshot;
}

function request(overrides: Partial<ParticipationRequest> = {}): ParticipationRequest {
  return {
    campaignId: 'sale',
    userId: 'u-1',
    idempotencyKey: 'k',
    context: { channel: 'app', deviceId: 'd-1' },
    ip: '10.0.0.1',
    client: { kind: 'anonymous', id: null },
    requestHash: 'h',
    trace: false,
    ...overrides,
  };
}

const facts = (profile: Record<string, unknown> = { registeredDays: 30 }) =>
  buildFacts({ profile, context: {}, history: {} });

function screen(overrides: Partial<FraudScreenDeps> = {}): FraudScreen {
  return new FraudScreen({
    blocklist: { find: () => Promise.resolve(null) },
    devices: {
      admit: (_c, _d, _u, max) => Promise.resolve({ result: 'pass', accounts: 1, max }),
      release: () => Promise.resolve(),
    },
    // 1 s: a cold jest worker's first nock answer once took more than 200 ms on CI, and failed the happy path.
    risk: new HttpRiskClient({ baseUrl: RISK, timeoutMs: 1000 }),
    riskMissing: 'error',
    ...overrides,
  });
}

describe('FraudScreen', () => {
  afterEach(() => {
    nock.cleanAll();
  });

  it('allows when every check passes and records each decision', async () => {
    const scope = nock(RISK)
      .post('/score', { campaignId: 'sale', userId: 'u-1', deviceId: 'd-1', ip: '10.0.0.1', channel: 'app' })
      .reply(200, { score: 10 });
    const verdict = await screen().screen(
      snapshot({
        velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 7 },
        risk: { maxScore: 50, action: 'deny', onError: 'deny' },
      }),
      request(),
      facts(),
    );
    expect(verdict).toEqual({
      action: 'allow',
      decisions: {
        blocklist: { result: 'pass' },
        accountAge: { result: 'pass', min: 7, registeredDays: 30 },
        deviceAccounts: { result: 'pass', accounts: 1, max: 2 },
        risk: { result: 'pass', score: 10, maxScore: 50 },
      },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('blocked subjects are denied before anything else runs', async () => {
    const admit = jest.fn();
    const verdict = await screen({
      blocklist: { find: () => Promise.resolve({ kind: 'device', value: 'd-1', reason: 'farm' }) },
      devices: { admit, release: () => Promise.resolve() },
    }).screen(snapshot({ velocity: { maxAccountsPerDevice: 1 } }), request(), facts());
    expect(verdict).toEqual({
      action: 'deny',
      reason: 'blocked',
      decisions: { blocklist: { result: 'deny', kind: 'device', value: 'd-1', reason: 'farm' } },
    });
    expect(admit).not.toHaveBeenCalled();
  });

  it('too young or unknown account age → velocity', async () => {
    const s = snapshot({ velocity: { minAccountAgeDays: 7 } });
    for (const profile of [{ registeredDays: 6 }, {}]) {
      const verdict = await screen().screen(s, request(), facts(profile));
      expect(verdict.action).toBe('deny');
      expect(verdict.action === 'deny' && verdict.reason).toBe('velocity');
    }
  });

  it('too many accounts on the device → velocity; no device id → the check is skipped and says so', async () => {
    const full = screen({
      devices: {
        admit: (_c, _d, _u, max) => Promise.resolve({ result: 'deny', accounts: max, max }),
        release: () => Promise.resolve(),
      },
    });
    const s = snapshot({ velocity: { maxAccountsPerDevice: 2 } });
    const denied = await full.screen(s, request(), facts());
    expect(denied).toMatchObject({ action: 'deny', reason: 'velocity' });
    const skipped = await full.screen(s, request({ context: { channel: 'app' } }), facts());
    expect(skipped).toEqual({
      action: 'allow',
      decisions: {
        blocklist: { result: 'pass' },
        deviceAccounts: { result: 'skipped', why: 'no context.deviceId' },
      },
    });
  });

  it('requireDeviceId: a request without a device id is 403 velocity, and no device slot is asked for', async () => {
    let asked = 0;
    const strict = screen({
      devices: {
        admit: () => {
          asked += 1;
          return Promise.resolve({ result: 'pass', accounts: 1, max: 2 });
        },
        release: () => Promise.resolve(),
      },
    });
    const s = snapshot({ velocity: { maxAccountsPerDevice: 2, requireDeviceId: true } });
    expect(await strict.screen(s, request({ context: { channel: 'app' } }), facts())).toEqual({
      action: 'deny',
      reason: 'velocity',
      decisions: {
        blocklist: { result: 'pass' },
        deviceAccounts: { result: 'deny', why: 'no context.deviceId (requireDeviceId)' },
      },
    });
    expect(asked).toBe(0);
    expect(await strict.screen(s, request(), facts())).toMatchObject({ action: 'allow' });
    expect(asked).toBe(1);
  });

  it('risk above maxScore: deny → risk_denied, soft → a soft verdict; both record the score', async () => {
    nock(RISK).post('/score').twice().reply(200, { score: 81 });
    const deny = await screen().screen(
      snapshot({ risk: { maxScore: 80, action: 'deny', onError: 'allow' } }),
      request(),
      facts(),
    );
    expect(deny).toMatchObject({
      action: 'deny',
      reason: 'risk_denied',
      decisions: { risk: { result: 'deny', score: 81, maxScore: 80 } },
    });
    const soft = await screen().screen(
      snapshot({ risk: { maxScore: 80, action: 'soft', onError: 'allow' } }),
      request(),
      facts(),
    );
    expect(soft).toMatchObject({
      action: 'soft',
      reason: 'risk_denied',
      decisions: { risk: { result: 'soft', score: 81 } },
    });
  });

  it.each([
    ['a 500', () => nock(RISK).post('/score').reply(500, 'boom')],
    ['a body without a score', () => nock(RISK).post('/score').reply(200, { risk: 'low' })],
    ['a non-numeric score', () => nock(RISK).post('/score').reply(200, { score: '12' })],
    ['no answer within the timeout', () => nock(RISK).post('/score').delay(3000).reply(200, { score: 1 })],
    ['a connection error', () => nock(RISK).post('/score').replyWithError('ECONNRESET')],
  ])(
    'risk service failing with %s: onError deny → 503, onError allow → allowed with the error recorded',
    async (_what, fail) => {
      fail();
      const deny = screen().screen(
        snapshot({ risk: { maxScore: 80, action: 'deny', onError: 'deny' } }),
        request(),
        facts(),
      );
      await expect(deny).rejects.toBeInstanceOf(DependencyUnavailableError);
      await expect(deny).rejects.toMatchObject({
        status: 503,
        code: 'dependency_unavailable',
        details: { dependency: 'risk' },
      });
      fail();
      const allow = await screen().screen(
        snapshot({ risk: { maxScore: 80, action: 'deny', onError: 'allow' } }),
        request(),
        facts(),
      );
      expect(allow).toMatchObject({
        action: 'allow',
        decisions: { risk: { result: 'pass', onError: 'allow' } },
      });
      expect(JSON.stringify(allow)).toMatch(/"error":"risk (service|answer)/);
    },
  );

  it('without RISK_URL: skipped outside production, treated as a failure in production', async () => {
    const policy = snapshot({ risk: { maxScore: 80, action: 'deny', onError: 'deny' } });
    const dev = await screen({ risk: null, riskMissing: 'skip' }).screen(policy, request(), facts());
    expect(dev).toMatchObject({ action: 'allow', decisions: { risk: { result: 'skipped' } } });
    await expect(
      screen({ risk: null, riskMissing: 'error' }).screen(policy, request(), facts()),
    ).rejects.toMatchObject({
      status: 503,
    });
  });

  it('ledger failures of the device check are 503s', async () => {
    const broken = screen({
      devices: { admit: () => Promise.reject(new Error('db down')), release: () => Promise.resolve() },
    });
    await expect(
      broken.screen(snapshot({ velocity: { maxAccountsPerDevice: 1 } }), request(), facts()),
    ).rejects.toMatchObject({ status: 503, details: { dependency: 'ledger' } });
  });
});
