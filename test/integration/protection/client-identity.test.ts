import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { join_, NOW, participationRows, profiles, stateOf, writeCampaigns } from './protection-fixtures';

describeEachBackend('client identity in the participation path', (backend) => {
  let backends: TestBackends;
  let root: string;
  let open: Pocket;
  let strict: Pocket;
  let gateway: { id: string; token: string };
  let admin: string;

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeCampaigns({
      'id-sale': {},
      'id-limited': { protection: '{ rateLimit: { perUser: 2/min, perIp: 5/min } }' },
    });
    const overrides = { clock: () => NOW, profiles: profiles(), config: { definitionsRoot: root } };
    open = await createTestPocket(backends, overrides);
    strict = await createTestPocket(backends, {
      ...overrides,
      config: { ...overrides.config, requireClientAuth: true },
    });
    const created = await open.tokens.create(['participate'], 'app-backend');
    gateway = { id: created.id, token: created.token };
    admin = (await open.tokens.create(['read'])).token;
  });
  afterAll(async () => {
    await open?.close();
    await strict?.close();
    await backends?.destroy();
    removeDir(root);
  });

  const userToken = (sub: string, pocket: Pocket = open) =>
    jwt.sign({ sub }, pocket.config.secrets.userToken, { algorithm: 'HS256', expiresIn: '5m' });

  it('a gateway token may act for any user; its id is stored with the participation', async () => {
    const res = await join_(open, 'id-sale', 'gw-user', { auth: `Bearer ${gateway.token}` });
    expect(res.status).toBe(201);
    expect(await participationRows(open, { user_id: 'gw-user' })).toEqual([
      expect.objectContaining({ outcome: 'granted', clientId: gateway.id }),
    ]);
  });

  it('a user token acts for its own user, stored with the user as the client', async () => {
    const res = await join_(open, 'id-sale', 'jwt-user', { auth: `Bearer ${userToken('jwt-user')}` });
    expect(res.status).toBe(201);
    expect(await participationRows(open, { user_id: 'jwt-user' })).toEqual([
      expect.objectContaining({ clientId: 'jwt-user' }),
    ]);
  });

  it('a user token for another user is 403 user_mismatch, and nothing of that user is written', async () => {
    const before = await stateOf(open, ['id-sale'], ['victim']);
    const res = await join_(open, 'id-sale', 'victim', {
      auth: `Bearer ${userToken('attacker')}`,
      key: 'k-1',
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'user_mismatch']);
    expect(await stateOf(open, ['id-sale'], ['victim'])).toEqual(before);
    // Not stored under the victim's key either: the victim's own request with that key is served.
    const own = await join_(open, 'id-sale', 'victim', { auth: `Bearer ${userToken('victim')}`, key: 'k-1' });
    expect(own.status).toBe(201);
  });

  it('invalid credentials are 401 and an admin token is 403 forbidden_scope, writing nothing', async () => {
    const before = await stateOf(open, ['id-sale'], ['u-x']);
    const forged = jwt.sign({ sub: 'u-x' }, 'not-the-secret-but-long-enough-to-sign', { expiresIn: '5m' });
    for (const auth of [`Bearer ${forged}`, 'Bearer nonsense', `Bearer ${gateway.token.slice(0, -2)}zz`]) {
      const res = await join_(open, 'id-sale', 'u-x', { auth });
      expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
    }
    const scoped = await join_(open, 'id-sale', 'u-x', { auth: `Bearer ${admin}` });
    expect([scoped.status, scoped.body.error.code]).toEqual([403, 'forbidden_scope']);
    expect(await stateOf(open, ['id-sale'], ['u-x'])).toEqual(before);
  });

  it('anonymous: accepted outside production, 401 when client auth is required (NODE_ENV=production)', async () => {
    expect((await join_(open, 'id-sale', 'anon-1')).status).toBe(201);
    const before = await stateOf(strict, ['id-sale'], ['anon-2']);
    const refused = await join_(strict, 'id-sale', 'anon-2');
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
    expect(await stateOf(strict, ['id-sale'], ['anon-2'])).toEqual(before);
    expect((await join_(strict, 'id-sale', 'anon-2', { auth: `Bearer ${gateway.token}` })).status).toBe(201);
  });

  it("a refused credential never uses up the named user's rate limit, only its IP's", async () => {
    // An attacker without credentials names the victim: 401s, from several addresses, each within its IP limit.
    for (const ip of ['198.51.100.1', '198.51.100.2'])
      for (let i = 0; i < 3; i++) {
        const refused = await join_(strict, 'id-limited', 'victim', { ip });
        expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
      }
    // The victim's own requests, through the gateway, still have the whole per-user allowance (2/min).
    for (let i = 0; i < 2; i++) {
      const own = await join_(strict, 'id-limited', 'victim', { auth: `Bearer ${gateway.token}` });
      expect(own.status).not.toBe(429);
    }
    const third = await join_(strict, 'id-limited', 'victim', { auth: `Bearer ${gateway.token}` });
    expect([third.status, third.body.error.code]).toEqual([429, 'rate_limited']);
    // The IP limit still holds for refused requests (5/min from one address).
    const ip = '198.51.100.9';
    for (let i = 0; i < 5; i++)
      expect((await join_(strict, 'id-limited', `x-${i}`, { ip })).status).toBe(401);
    const flooded = await join_(strict, 'id-limited', 'x-5', { ip });
    expect([flooded.status, flooded.body.error.code]).toEqual([429, 'rate_limited']);
  });

  it("a refused credential is answered at the pipeline's client-auth step (DESIGN.md order), never stored", async () => {
    // validate body → idempotency lookup → pin → live? → rate limits → client auth: the earlier steps answer first.
    const noKey = await request(strict.app)
      .post('/v1/campaigns/id-sale/participations')
      .send({ userId: 'o-1' });
    expect([noKey.status, noKey.body.error.code]).toEqual([400, 'invalid_request']);
    const unknown = await join_(strict, 'no-such-sale', 'o-1');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'campaign_not_found']);
    const channel = await join_(strict, 'id-sale', 'o-1', { context: { channel: 'web' } });
    expect([channel.status, channel.body.outcome]).toEqual([200, 'channel_not_allowed']);
    // A stored answer is replayed at the idempotency step, before client auth.
    const granted = await join_(strict, 'id-sale', 'o-2', { auth: `Bearer ${gateway.token}`, key: 'o-2-k' });
    expect(granted.status).toBe(201);
    const replayed = await join_(strict, 'id-sale', 'o-2', { key: 'o-2-k' });
    expect(replayed.text).toBe(granted.text);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    // The 401 itself is not stored: the same key with credentials is then served.
    const refused = await join_(strict, 'id-sale', 'o-3', { key: 'o-3-k' });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
    const served = await join_(strict, 'id-sale', 'o-3', { auth: `Bearer ${gateway.token}`, key: 'o-3-k' });
    expect(served.status).toBe(201);
  });

  it("a refused credential's liveness answer writes nothing under the user it names", async () => {
    // An attacker without (valid) credentials names the victim with a channel the campaign refuses: the answer
    // is the liveness one (DESIGN.md order), but no participation is stored under the victim's user and key,
    // so it neither adds to the victim's history.participations nor takes the victim's Idempotency-Key.
    for (const auth of [undefined, 'Bearer nonsense', `Bearer ${userToken('attacker', strict)}`]) {
      const before = await stateOf(strict, ['id-sale'], ['lv-victim']);
      const res = await join_(strict, 'id-sale', 'lv-victim', {
        key: 'lv-k',
        context: { channel: 'web' },
        ...(auth === undefined ? {} : { auth }),
      });
      // Nothing recorded, so no participation is named: an id there was looked up in the ledger in vain.
      expect([res.status, res.body.outcome, res.body.participationId]).toEqual([
        200,
        'channel_not_allowed',
        null,
      ]);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await stateOf(strict, ['id-sale'], ['lv-victim'])).toEqual(before);
    }
    expect(await participationRows(strict, { user_id: 'lv-victim' })).toEqual([]);
    // The victim's own request with that key is served, not answered with the planted refusal.
    const own = await join_(strict, 'id-sale', 'lv-victim', {
      auth: `Bearer ${gateway.token}`,
      key: 'lv-k',
      context: { channel: 'web' },
    });
    expect([own.status, own.body.outcome]).toEqual([200, 'channel_not_allowed']);
    expect(own.body.participationId).toEqual(expect.any(String));
    expect(own.headers['idempotent-replayed']).toBeUndefined();
    expect(await participationRows(strict, { user_id: 'lv-victim' })).toHaveLength(1);
  });

  it('GET /v1/users/{userId}/grants: own grants with a user token, 403 for another user, 401 anonymous in production', async () => {
    const own = await request(open.app)
      .get('/v1/users/jwt-user/grants')
      .set('Authorization', `Bearer ${userToken('jwt-user')}`);
    expect(own.status).toBe(200);
    expect(own.body.grants).toHaveLength(1);
    const other = await request(open.app)
      .get('/v1/users/gw-user/grants')
      .set('Authorization', `Bearer ${userToken('jwt-user')}`);
    expect([other.status, other.body.error.code]).toEqual([403, 'user_mismatch']);
    expect(other.text).not.toContain('coupon');
    const gw = await request(open.app)
      .get('/v1/users/gw-user/grants')
      .set('Authorization', `Bearer ${gateway.token}`);
    expect(gw.body.grants).toHaveLength(1);
    const anon = await request(strict.app).get('/v1/users/gw-user/grants');
    expect(anon.status).toBe(401);
  });
});
