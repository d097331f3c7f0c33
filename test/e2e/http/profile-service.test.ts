/**
 * Participations with PROFILE_URL set: profiles come from the HTTP profile service (nock). When it is slow,
 * down or returns garbage the answer is 503 dependency_unavailable and nothing is granted, counted or stored;
 * when it answers, its profile decides the segment. Both backend pairs.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import {
  AT,
  createDefinitionsRepo,
  type DefinitionsRepo,
} from '../../integration/publishing/publishing-fixtures';

const PROFILES = 'http://profile-service.test';

const CAMPAIGN_YAML = `id: members-day
name: Members day
owner: profile-tests
status: active
window: { start: 2026-11-01T00:00:00+08:00, end: 2026-12-01T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
budget: { currency: CNY, total: 1000000 }
rewards:
  - { id: coin, type: red_packet, amount: { min: 10, max: 10 }, stock: 100 }
segments:
  - id: members
    when: member
    rewards: [{ reward: coin, weight: 1 }]
decision: { strategy: weighted }
`;

const RULES_YAML = `rules:
  - id: member
    conditions:
      all:
        - { fact: profile, path: member, operator: equal, value: true }
`;

describeEachBackend('the HTTP profile service in the participation path', (backend) => {
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let pocket: Pocket;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    backends = await createBackends(backend);
    repo = createDefinitionsRepo();
    writeFileSync(
      join(repo.root, 'campaigns', 'flash-sale.yaml'),
      CAMPAIGN_YAML.replace('members-day', 'flash-sale'),
    );
    writeFileSync(join(repo.root, 'rules', 'members.yaml'), RULES_YAML);
    pocket = await createTestPocket(backends, {
      clock: () => AT,
      config: {
        definitionsRoot: repo.root,
        profileUrl: PROFILES,
        // 1 s: at 100 ms a busy CI host's nock answer could come late on the happy path.
        profileTimeoutMs: 1000,
        // Longer than the caching test's three participations take on a busy host (1 s could run out between them).
        profileCacheTtlMs: 60_000,
      },
    });
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    await pocket.close();
    await backends.destroy();
    repo.remove();
    nock.enableNetConnect();
  });

  const join_ = (userId: string) =>
    request(pocket.app)
      .post('/v1/campaigns/flash-sale/participations')
      .set('Idempotency-Key', randomUUID())
      .send({ userId });
  const rowsOf = async (userId: string) => ({
    grants: (await backends.ledger.db('grants').where({ user_id: userId })).length,
    participations: (await backends.ledger.db('participations').where({ user_id: userId })).length,
  });

  it('grants by the profile the service returns; an unknown user (404) has an empty profile', async () => {
    nock(PROFILES)
      .get('/profiles/member-1')
      .reply(200, { profile: { member: true } });
    nock(PROFILES).get('/profiles/stranger').reply(404);
    const member = await join_('member-1');
    expect(member.status).toBe(201);
    expect(member.body).toMatchObject({ outcome: 'granted', grant: { rewardId: 'coin' } });
    const stranger = await join_('stranger');
    expect(stranger.status).toBe(200);
    expect(stranger.body).toMatchObject({ outcome: 'not_eligible' });
  });

  it.each([
    [
      'slow (past the timeout)',
      () =>
        nock(PROFILES)
          .get('/profiles/u-slow')
          .delay(3000)
          .reply(200, { profile: { member: true } }),
      'u-slow',
    ],
    ['down', () => nock(PROFILES).get('/profiles/u-down').replyWithError({ code: 'ECONNREFUSED' }), 'u-down'],
    ['failing (500)', () => nock(PROFILES).get('/profiles/u-500').reply(500, 'internal'), 'u-500'],
    ['returning garbage', () => nock(PROFILES).get('/profiles/u-junk').reply(200, '{"profile":'), 'u-junk'],
  ])('answers 503 when the service is %s, and grants or stores nothing', async (_name, mock, userId) => {
    mock();
    const res = await join_(userId);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: expect.objectContaining({ code: 'dependency_unavailable', dependency: 'profile' }),
    });
    expect(await rowsOf(userId)).toEqual({ grants: 0, participations: 0 });
    // Not stored as an answer: once the service is back, the same user is served.
    nock(PROFILES)
      .get(`/profiles/${userId}`)
      .reply(200, { profile: { member: true } });
    expect((await join_(userId)).status).toBe(201);
  });

  it('caches the service answer for its TTL across requests (collapsing: see the unit tests)', async () => {
    let calls = 0;
    nock(PROFILES)
      .get('/profiles/busy')
      .times(2)
      .reply(() => {
        calls++;
        return [200, { profile: { member: false } }];
      });
    for (let i = 0; i < 3; i++) expect((await join_('busy')).body).toMatchObject({ outcome: 'not_eligible' });
    expect(calls).toBe(1);
  });
});
