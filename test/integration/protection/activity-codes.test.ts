import { DependencyUnavailableError } from '../../../src/errors/app-error';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import { newNonce, signActivityCode, verifyActivityCode } from '../../../src/protection/activity-code';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { join_, NOW, participationRows, stateOf, writeCampaigns } from './protection-fixtures';

const NOW_S = Math.floor(NOW.getTime() / 1000);

describeEachBackend('signed activity codes', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;
  const failingProfiles = new Set<string>();

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeCampaigns({
      coded: { entry: 'signed' },
      'coded-rl': { entry: 'signed', protection: '{ rateLimit: { perUser: 1/min } }' },
      open: {},
    });
    const profiles: ProfileSource = {
      profile: (userId) =>
        failingProfiles.delete(userId)
          ? Promise.reject(new DependencyUnavailableError('profile'))
          : Promise.resolve({ registeredDays: 365 }),
    };
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles,
      config: { definitionsRoot: root },
    });
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  const code = (campaignId = 'coded', options: { userId?: string; expiresAt?: number } = {}) =>
    signActivityCode(pocket.config.secrets.activityCode, {
      campaignId,
      userId: options.userId ?? null,
      expiresAt: options.expiresAt ?? NOW_S + 3600,
      nonce: newNonce(),
    });
  const nonceOf = (c: string, campaignId = 'coded') => {
    const check = verifyActivityCode(pocket.config.secrets.activityCode, c, {
      campaignId,
      userId: 'anyone',
      now: new Date(0),
    });
    if (!check.ok) throw new Error('not a code');
    return check.claims.nonce;
  };
  const forbidden = (res: { status: number; body: { error?: { code?: string } } }) => [
    res.status,
    res.body.error?.code,
  ];

  it('a valid code grants once, and its nonce is stored with the participation', async () => {
    const c = code();
    const res = await join_(pocket, 'coded', 'c-1', { activityCode: c });
    expect(res.status).toBe(201);
    expect(await participationRows(pocket, { user_id: 'c-1' })).toEqual([
      expect.objectContaining({ outcome: 'granted', codeNonce: nonceOf(c) }),
    ]);
  });

  it('no code → 403 code_missing, stored and replayed byte for byte', async () => {
    const first = await join_(pocket, 'coded', 'c-2', { key: 'same' });
    expect(forbidden(first)).toEqual([403, 'code_missing']);
    const again = await join_(pocket, 'coded', 'c-2', { key: 'same' });
    expect([again.status, again.text, again.headers['idempotent-replayed']]).toEqual([
      403,
      first.text,
      'true',
    ]);
  });

  it('garbage, another campaign, another user, a tampered MAC → 403 code_invalid; a stale code → code_expired', async () => {
    // The MAC's last two characters replaced by two others (a code already ending in "AA" gets "BB").
    const genuine = code();
    const tampered = `${genuine.slice(0, -2)}${genuine.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const c of ['garbage', code('open'), code('coded', { userId: 'someone-else' }), tampered]) {
      expect(forbidden(await join_(pocket, 'coded', 'c-3', { activityCode: c }))).toEqual([
        403,
        'code_invalid',
      ]);
    }
    const stale = code('coded', { expiresAt: NOW_S });
    expect(forbidden(await join_(pocket, 'coded', 'c-3', { activityCode: stale }))).toEqual([
      403,
      'code_expired',
    ]);
    expect(
      (await join_(pocket, 'coded', 'c-3', { activityCode: code('coded', { userId: 'c-3' }) })).status,
    ).toBe(201);
  });

  it('a used code is refused with code_used, for anyone, with any key', async () => {
    const c = code();
    expect((await join_(pocket, 'coded', 'c-4', { activityCode: c })).status).toBe(201);
    expect(forbidden(await join_(pocket, 'coded', 'c-4', { activityCode: c }))).toEqual([403, 'code_used']);
    expect(forbidden(await join_(pocket, 'coded', 'c-5', { activityCode: c }))).toEqual([403, 'code_used']);
    expect(await pocket.db('grants').whereIn('user_id', ['c-4', 'c-5'])).toHaveLength(1);
  });

  it('twenty parallel requests with one code (twenty users) give exactly one grant', async () => {
    const c = code();
    const users = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    const answers = await Promise.all(users.map((u) => join_(pocket, 'coded', u, { activityCode: c })));
    const statuses = answers.map((a) => `${a.status}:${a.body.outcome ?? a.body.error?.code}`);
    expect(statuses.filter((s) => s === '201:granted')).toHaveLength(1);
    expect(statuses.filter((s) => s === '403:code_used')).toHaveLength(19);
    expect(await pocket.db('grants').whereIn('user_id', users)).toHaveLength(1);
    expect(await pocket.db('participations').where({ code_nonce: nonceOf(c) })).toHaveLength(1);
  });

  it('a 429 does not burn the code', async () => {
    expect(forbidden(await join_(pocket, 'coded-rl', 'r-1'))).toEqual([403, 'code_missing']);
    const c = code('coded-rl');
    const limited = await join_(pocket, 'coded-rl', 'r-1', { activityCode: c });
    expect(limited.status).toBe(429);
    expect(await pocket.db('participations').where({ code_nonce: nonceOf(c, 'coded-rl') })).toHaveLength(0);
    expect((await join_(pocket, 'coded-rl', 'r-2', { activityCode: c })).status).toBe(201);
  });

  it('a 409 (the user is busy) does not burn the code', async () => {
    const c = code();
    const lock = {
      campaignId: 'coded',
      userId: 'b-1',
      idempotencyKey: 'held',
      requestHash: 'held',
      lockToken: 'test-holder',
    };
    expect(await pocket.hotState.begin({ ...lock, lockTtlMs: 10_000, markerTtlMs: 10_000, waitMs: 0 })).toBe(
      'ok',
    );
    const before = await stateOf(pocket, ['coded'], ['b-1']);
    const busy = await join_(pocket, 'coded', 'b-1', { activityCode: c, key: 'b-key' });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'user_busy']);
    expect(await stateOf(pocket, ['coded'], ['b-1'])).toEqual(before);
    await pocket.hotState.end({ ...lock, final: false, doneTtlMs: 1000 });
    expect((await join_(pocket, 'coded', 'b-1', { activityCode: c, key: 'b-key' })).status).toBe(201);
  });

  it('a 503 (a dependency failed) does not burn the code', async () => {
    const c = code();
    failingProfiles.add('p-1');
    const down = await join_(pocket, 'coded', 'p-1', { activityCode: c, key: 'p-key' });
    expect([down.status, down.body.error.code]).toEqual([503, 'dependency_unavailable']);
    expect(await pocket.db('participations').where({ code_nonce: nonceOf(c) })).toHaveLength(0);
    expect((await join_(pocket, 'coded', 'p-1', { activityCode: c, key: 'p-key' })).status).toBe(201);
  });

  it('a campaign without entry.activityCode: signed ignores codes', async () => {
    expect((await join_(pocket, 'open', 'o-1', { activityCode: 'whatever' })).status).toBe(201);
    expect(await participationRows(pocket, { user_id: 'o-1' })).toEqual([
      expect.objectContaining({ codeNonce: null }),
    ]);
  });
});
