import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { HttpRiskClient } from '../../../src/integrations/http-risk-client';
import { KnexBlocklistStore } from '../../../src/ledger/knex-blocklist-store';
import { BlocklistService } from '../../../src/protection/blocklist-service';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { join_, NOW, participationRows, profiles, stateOf, writeCampaigns } from './protection-fixtures';

const RISK = 'http://risk-service.test';

/**
 * Polls every 100 ms until `probe` gives `want`, for at most 15 s: the blocklist cache reloads within about a
 * second, and the deadline only ends a failing test (50 polls, about 5 s, were tight on a busy host).
 */
async function eventually<T>(probe: () => Promise<T>, want: T): Promise<T> {
  let last = await probe();
  for (const deadline = Date.now() + 15_000; last !== want && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

describeEachBackend('anti-fraud', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;
  let blocklist: BlocklistService;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)/);
    backends = await createBackends(backend);
    root = writeCampaigns({
      plain: {},
      devices: { protection: '{ velocity: { maxAccountsPerDevice: 2 } }' },
      'devices-strict': { protection: '{ velocity: { maxAccountsPerDevice: 2, requireDeviceId: true } }' },
      aged: { protection: '{ velocity: { minAccountAgeDays: 7 } }' },
      'risk-deny': { protection: '{ risk: { maxScore: 50, action: deny, onError: deny } }' },
      'risk-soft': { protection: '{ risk: { maxScore: 50, action: soft, onError: allow } }' },
      'risk-soft-bare': {
        fallback: false,
        protection: '{ risk: { maxScore: 50, action: soft, onError: allow } }',
      },
      'risk-soft-vip': { protection: '{ risk: { maxScore: 50, action: soft, onError: allow } }' },
      'risk-devices': {
        protection:
          '{ velocity: { maxAccountsPerDevice: 1 }, risk: { maxScore: 50, action: deny, onError: deny } }',
      },
    });
    // risk-soft-vip is for VIPs only: its one segment needs the vip rule.
    const vipOnly = join(root, 'campaigns', 'risk-soft-vip.yaml');
    writeFileSync(
      vipOnly,
      readFileSync(vipOnly, 'utf8').replace('  - id: everyone\n', '  - id: vips\n    when: vip\n'),
    );
    mkdirSync(join(root, 'rules'));
    writeFileSync(
      join(root, 'rules', 'vip.yaml'),
      'rules:\n  - id: vip\n    conditions: { all: [{ fact: profile, path: vip, operator: equal, value: true }] }\n',
    );
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles({
        'young-1': { registeredDays: 3 },
        'nobody-knows': {},
        'vip-risky': { registeredDays: 365, vip: true },
      }),
      config: { definitionsRoot: root },
      protection: { risk: new HttpRiskClient({ baseUrl: RISK, timeoutMs: 1000 }) },
    });
    blocklist = new BlocklistService({ db: pocket.db, store: new KnexBlocklistStore() });
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

  const outcome = (res: { status: number; body: { outcome?: string; error?: { code?: string } } }) =>
    `${res.status}:${res.body.outcome ?? res.body.error?.code}`;

  describe('blocklist', () => {
    it('a blocked user is refused within seconds with 403 blocked, the decision stored; unblocking lets them in', async () => {
      expect(outcome(await join_(pocket, 'plain', 'bad-user'))).toBe('201:granted');
      await blocklist.add('user', 'bad-user', 'chargeback fraud');
      expect(
        await eventually(async () => outcome(await join_(pocket, 'plain', 'bad-user')), '403:blocked'),
      ).toBe('403:blocked');
      const rows = await participationRows(pocket, { user_id: 'bad-user', outcome: 'blocked' });
      expect(rows[0]?.decision).toEqual({
        fraud: { blocklist: { result: 'deny', kind: 'user', value: 'bad-user', reason: 'chargeback fraud' } },
      });
      expect(await blocklist.remove('user', 'bad-user')).toBe(true);
      expect(
        await eventually(async () => outcome(await join_(pocket, 'plain', 'bad-user')), '201:granted'),
      ).toBe('201:granted');
    });

    it('blocked devices and IPs are refused, and a refusal reserves or grants nothing', async () => {
      await blocklist.add('device', 'farm-phone-1');
      await blocklist.add('ip', '::ffff:198.51.100.66', 'proxy farm');
      const device = () =>
        join_(pocket, 'plain', 'dev-user', { context: { channel: 'app', deviceId: 'farm-phone-1' } });
      expect(await eventually(async () => outcome(await device()), '403:blocked')).toBe('403:blocked');
      const before = await stateOf(pocket, ['plain'], ['dev-user', 'ip-user']);
      expect(outcome(await device())).toBe('403:blocked');
      expect(outcome(await join_(pocket, 'plain', 'ip-user', { ip: '198.51.100.66' }))).toBe('403:blocked');
      // With the port a proxy may append to X-Forwarded-For (Azure Application Gateway does by default).
      expect(outcome(await join_(pocket, 'plain', 'ip-user', { ip: '198.51.100.66:51234' }))).toBe(
        '403:blocked',
      );
      const after = await stateOf(pocket, ['plain'], ['dev-user', 'ip-user']);
      expect(after.grants).toBe(before.grants);
      expect(after.counters).toEqual(before.counters);
      expect(after.users).toEqual(before.users);
      expect(after.participations).toBe(before.participations + 3); // the refusals are stored (final)
    });
  });

  describe('velocity', () => {
    it('maxAccountsPerDevice: a third account on a device is 403 velocity; the first two keep access', async () => {
      const on = (user: string) =>
        join_(pocket, 'devices', user, { context: { channel: 'app', deviceId: 'shared-phone' } });
      expect(outcome(await on('acc-1'))).toBe('201:granted');
      expect(outcome(await on('acc-2'))).toBe('201:granted');
      expect(outcome(await on('acc-3'))).toBe('403:velocity');
      expect(outcome(await on('acc-1'))).toBe('201:granted');
      const [row] = await participationRows(pocket, { user_id: 'acc-3' });
      expect(row?.decision).toMatchObject({
        fraud: { deviceAccounts: { result: 'deny', accounts: 2, max: 2 } },
      });
    });

    it('without a device id the device check is skipped, unless requireDeviceId: then 403 velocity, nothing granted', async () => {
      expect(outcome(await join_(pocket, 'devices', 'no-device'))).toBe('201:granted');
      const before = await stateOf(pocket, ['devices-strict'], ['strict-no-device']);
      expect(outcome(await join_(pocket, 'devices-strict', 'strict-no-device'))).toBe('403:velocity');
      const after = await stateOf(pocket, ['devices-strict'], ['strict-no-device']);
      expect(after.grants).toBe(before.grants);
      expect(after.counters).toEqual(before.counters);
      expect(await pocket.db('device_accounts').where({ campaign_id: 'devices-strict' })).toHaveLength(0);
      const on = { context: { channel: 'app', deviceId: 'strict-phone' } };
      expect(outcome(await join_(pocket, 'devices-strict', 'strict-with-device', on))).toBe('201:granted');
    });

    it('maxAccountsPerDevice holds under parallel requests from many accounts on one device', async () => {
      const users = Array.from({ length: 12 }, (_, i) => `par-acc-${i}`);
      const answers = await Promise.all(
        users.map((u) =>
          join_(pocket, 'devices', u, { context: { channel: 'app', deviceId: 'parallel-phone' } }),
        ),
      );
      const outcomes = answers.map(outcome);
      expect(outcomes.filter((o) => o === '201:granted')).toHaveLength(2);
      expect(outcomes.filter((o) => o === '403:velocity')).toHaveLength(10);
      expect(
        await pocket.db('device_accounts').where({ campaign_id: 'devices', device_id: 'parallel-phone' }),
      ).toHaveLength(2);
    });

    it('minAccountAgeDays: too young or unknown account age is 403 velocity; old enough passes', async () => {
      expect(outcome(await join_(pocket, 'aged', 'young-1'))).toBe('403:velocity');
      expect(outcome(await join_(pocket, 'aged', 'nobody-knows'))).toBe('403:velocity');
      expect(outcome(await join_(pocket, 'aged', 'veteran'))).toBe('201:granted');
      const [row] = await participationRows(pocket, { user_id: 'nobody-knows' });
      expect(row?.decision).toEqual({
        fraud: {
          blocklist: { result: 'pass' },
          accountAge: { result: 'deny', min: 7, registeredDays: null },
        },
      });
    });
  });

  describe('risk service', () => {
    it('is sent the client IP in one spelling: an IPv4 client on a dual-stack socket as IPv4', async () => {
      nock(RISK)
        .post(
          '/score',
          (b: { userId?: string; ip?: string }) => b.userId === 'mapped' && b.ip === '203.0.113.9',
        )
        .reply(200, { score: 10 });
      expect(outcome(await join_(pocket, 'risk-deny', 'mapped', { ip: '::ffff:203.0.113.9' }))).toBe(
        '201:granted',
      );
    });

    it('action deny: a score above maxScore is 403 risk_denied with the score stored; below it is granted', async () => {
      nock(RISK)
        .post('/score', (b: { userId?: string }) => b.userId === 'risky')
        .reply(200, { score: 90 });
      nock(RISK)
        .post('/score', (b: { userId?: string }) => b.userId === 'safe')
        .reply(200, { score: 10 });
      expect(outcome(await join_(pocket, 'risk-deny', 'risky'))).toBe('403:risk_denied');
      expect(outcome(await join_(pocket, 'risk-deny', 'safe'))).toBe('201:granted');
      const [denied] = await participationRows(pocket, { user_id: 'risky' });
      expect(denied?.decision).toMatchObject({
        fraud: { risk: { result: 'deny', score: 90, maxScore: 50 } },
      });
      const [granted] = await participationRows(pocket, { user_id: 'safe' });
      expect(granted?.decision).toMatchObject({ fraud: { risk: { result: 'pass', score: 10 } } });
    });

    it('onError deny: the service failing is 503 dependency_unavailable, and nothing is stored', async () => {
      nock(RISK).post('/score').reply(502, 'bad gateway');
      const before = await stateOf(pocket, ['risk-deny'], ['unlucky']);
      const res = await join_(pocket, 'risk-deny', 'unlucky');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'dependency_unavailable', dependency: 'risk' });
      expect(await stateOf(pocket, ['risk-deny'], ['unlucky'])).toEqual(before);
    });

    it('onError deny: a 503 takes no device slot, so the account that comes next on the device gets in', async () => {
      const on = (user: string) =>
        join_(pocket, 'risk-devices', user, { context: { channel: 'app', deviceId: 'family-phone' } });
      nock(RISK).post('/score').reply(503, 'down');
      expect(outcome(await on('first-try'))).toBe('503:dependency_unavailable');
      expect(await pocket.db('device_accounts').where({ device_id: 'family-phone' })).toHaveLength(0);
      nock(RISK).post('/score').times(2).reply(200, { score: 10 });
      expect(outcome(await on('second-account'))).toBe('201:granted');
      expect(outcome(await on('first-try'))).toBe('403:velocity');
    });

    it('action soft: a risky user gets the fallback reward instead, and the decision says why', async () => {
      nock(RISK).post('/score').reply(200, { score: 77 });
      const res = await join_(pocket, 'risk-soft', 'soft-risky');
      expect(res.status).toBe(201);
      expect(res.body.grant).toMatchObject({ rewardId: 'thanks', type: 'none' });
      const [row] = await participationRows(pocket, { user_id: 'soft-risky' });
      expect(row?.decision).toMatchObject({
        fraud: { risk: { result: 'soft', score: 77 } },
        segment: '(risk-soft)',
      });
    });

    it('action soft never makes a user eligible: a risky user no segment takes is not_eligible, not the fallback', async () => {
      nock(RISK).post('/score').times(3).reply(200, { score: 77 });
      const before = await stateOf(pocket, ['risk-soft-vip'], ['soft-nobody']);
      const res = await join_(pocket, 'risk-soft-vip', 'soft-nobody');
      expect([res.status, res.body.outcome]).toEqual([200, 'not_eligible']);
      const after = await stateOf(pocket, ['risk-soft-vip'], ['soft-nobody']);
      expect([after.grants, after.counters, after.users]).toEqual([
        before.grants,
        before.counters,
        before.users,
      ]);
      const [row] = await participationRows(pocket, { user_id: 'soft-nobody' });
      expect(row?.decision).toMatchObject({ fraud: { risk: { result: 'soft', score: 77 } } });
      // A risky VIP, whom the segment takes, still gets the fallback instead of the segment's reward.
      const vip = await join_(pocket, 'risk-soft-vip', 'vip-risky');
      expect([vip.status, vip.body.grant?.rewardId]).toEqual([201, 'thanks']);
    });

    it('action soft without a fallback: 403 risk_denied', async () => {
      nock(RISK).post('/score').reply(200, { score: 77 });
      expect(outcome(await join_(pocket, 'risk-soft-bare', 'bare-risky'))).toBe('403:risk_denied');
    });

    it('onError allow: the service timing out lets the request through, with the error recorded', async () => {
      nock(RISK).post('/score').delay(2000).reply(200, { score: 99 });
      expect(outcome(await join_(pocket, 'risk-soft', 'slow-risk'))).toBe('201:granted');
      const [row] = await participationRows(pocket, { user_id: 'slow-risk' });
      expect(row?.decision).toMatchObject({ fraud: { risk: { result: 'pass', onError: 'allow' } } });
    });
  });
});
