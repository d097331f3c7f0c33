/**
 * The HTTP API beyond the answer table: security headers, error bodies that never leak, the public campaign
 * view, a user's grants, health and readiness, and graceful shutdown on a real port. Both backend pairs.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Response } from 'supertest';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import { KnexCampaignVersionStore } from '../../../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { createLogger, silentLogger } from '../../../src/observability/logger';
import { createPocket, startPocket, type Pocket, type PocketOverrides } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  testConfig,
  type TestBackends,
} from '../../helpers/pocket';
import { AT, CAMPAIGNS, fixtureGuard, fixtureProfiles, writeDefinitions } from './http-fixtures';

type Json = Record<string, unknown>;

const errorOf = (res: Response): Json => (res.body as { error: Json }).error;

/** A plain HTTP POST (a fresh connection unless an agent is given); rejects on a connection error. */
function post(
  url: string,
  path: string,
  body: unknown,
  key: string,
  agent: Agent | false = false,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Json }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          'Idempotency-Key': key,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describeEachBackend('HTTP API', (backend) => {
  let root: string;
  let backends: TestBackends;
  let pocket: Pocket;
  let now = AT;
  const logged: string[] = [];
  let keys = 0;
  const nextKey = (): string => `api-key-${++keys}`;

  const overrides = (): PocketOverrides & { config: { definitionsRoot: string } } => ({
    config: { definitionsRoot: root },
    clock: () => now,
    profiles: fixtureProfiles,
    guard: fixtureGuard,
  });

  beforeAll(async () => {
    root = writeDefinitions();
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      ...overrides(),
      logger: createLogger('error', { write: (line: string) => void logged.push(line) }),
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  const participate = (campaignId: string, body: Json, app = pocket.app): request.Test =>
    request(app)
      .post(`/v1/campaigns/${campaignId}/participations`)
      .set('Idempotency-Key', nextKey())
      .send(body);

  describe('headers', () => {
    it('sends helmet security headers and no x-powered-by, on success and on error', async () => {
      const answers = [
        await request(pocket.app).get('/healthz'),
        await participate('open-thanks', { userId: 'headers-user' }),
        await participate('open-thanks', { userId: 'headers-user', bonus: 1 }),
        await request(pocket.app).get('/no/such/route'),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 201, 400, 404]);
      for (const res of answers) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('error bodies', () => {
    const LEAKS = /\n\s+at |stack|hunter2|secret\.ts|query failed|node_modules|SyntaxError/;

    it('are { error: { code, message, … } } without a stack trace, whatever failed', async () => {
      const answers: Array<[string, Response]> = [
        [
          'bad JSON',
          await request(pocket.app)
            .post('/v1/campaigns/open-thanks/participations')
            .set('Idempotency-Key', nextKey())
            .set('Content-Type', 'application/json')
            .send('{"userId":'),
        ],
        ['too large', await participate('open-thanks', { userId: 'u', activityCode: 'x'.repeat(10000) })],
        [
          'wrong type',
          await request(pocket.app)
            .post('/v1/campaigns/open-thanks/participations')
            .set('Idempotency-Key', nextKey())
            .set('Content-Type', 'text/xml')
            .send('<userId>u</userId>'),
        ],
        ['no route', await request(pocket.app).get('/v2/anything')],
        [
          'dependency',
          await participate('members-only', { userId: 'profile-down-2', context: { channel: 'app' } }),
        ],
      ];
      const statuses = answers.map(([what, res]) => [what, res.status]);
      expect(statuses).toEqual([
        ['bad JSON', 400],
        ['too large', 413],
        ['wrong type', 415],
        ['no route', 404],
        ['dependency', 503],
      ]);
      for (const [what, res] of answers) {
        expect([what, Object.keys(res.body as Json)]).toEqual([what, ['error']]);
        expect([what, typeof errorOf(res)['code'], typeof errorOf(res)['message']]).toEqual([
          what,
          'string',
          'string',
        ]);
        expect([what, LEAKS.test(res.text)]).toEqual([what, false]);
      }
    });

    it('turn an unexpected error into a bare 500 internal_error, logged once as an error', async () => {
      const before = logged.length;
      const fromGuard = await participate('open-thanks', { userId: 'boom-api' });
      jest
        .spyOn(KnexGrantStore.prototype, 'listByUser')
        .mockRejectedValueOnce(new Error('grants query failed: password=hunter2'));
      const fromStore = await request(pocket.app).get('/v1/users/someone/grants');
      for (const res of [fromGuard, fromStore]) {
        expect([res.status, res.body]).toEqual([
          500,
          { error: { code: 'internal_error', message: 'internal error' } },
        ]);
        expect(LEAKS.test(res.text)).toBe(false);
      }
      const lines = logged.slice(before).map((l) => JSON.parse(l) as Json);
      expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
        [50, 'unexpected error'],
        [50, 'unexpected error'],
      ]);
      expect(lines.map((l) => (l['err'] as Json)['message'])).toEqual([
        expect.stringContaining('guard exploded'),
        expect.stringContaining('grants query failed'),
      ]);
    });
  });

  describe('GET /v1/campaigns', () => {
    it('lists every published campaign except drafts, ordered by id, with its state now', async () => {
      await new KnexCampaignVersionStore().setPaused(backends.ledger.db, 'pausable', true, 'api-tests', AT);
      await pocket.registry.refresh();
      const res = await request(pocket.app).get('/v1/campaigns');
      expect(res.status).toBe(200);
      const views = (res.body as { campaigns: Json[] }).campaigns;
      const expected = Object.keys(CAMPAIGNS)
        .filter((id) => id !== 'work-in-progress')
        .sort();
      expect(views.map((v) => v['id'])).toEqual(expected);
      const state = Object.fromEntries(views.map((v) => [v['id'], v['state']]));
      expect(state).toMatchObject({
        'open-thanks': 'live',
        pausable: 'paused',
        'future-sale': 'not_started',
        'past-sale': 'ended',
      });
      const members = views.find((v) => v['id'] === 'members-only');
      expect(members).toEqual({
        id: 'members-only',
        name: 'members-only campaign',
        version: 1,
        status: 'active',
        state: 'live',
        window: { start: '2026-06-01T00:00:00+08:00', end: '2026-07-01T00:00:00+08:00' },
        timezone: 'Asia/Shanghai',
        channels: ['app'],
        activityCode: 'none',
        // The rewards' money is in minor units of this currency: a page needs it to show 10 as ¥0.10.
        currency: 'CNY',
        rewards: [
          { id: 'coin', type: 'red_packet', name: 'Coin', amount: { min: 10, max: 10 }, available: true },
        ],
      });
      // Without a budget the rewards carry no money to spend: no currency either.
      expect(views.find((v) => v['id'] === 'open-thanks')?.['currency']).toBeNull();
      // The public view shows no segments, rules, testers or budget figures.
      expect(res.text).not.toMatch(
        /"(segments|rules|when|testers|budget|limits|owner|decision|protection)":/,
      );
    });

    it('shows a reward as unavailable once its stock is used up; a consolation stays available', async () => {
      const viewOf = async (app: Pocket['app']): Promise<Json[]> =>
        ((await request(app).get('/v1/campaigns/last-coupon')).body as { rewards: Json[] }).rewards;
      // Each look uses a fresh app: the view caches the ledger's stock use for a second.
      const first = await createTestPocket(backends, overrides());
      try {
        expect(await viewOf(first.app)).toEqual([
          expect.objectContaining({
            id: 'the-coupon',
            type: 'coupon',
            value: 500,
            minSpend: 2000,
            validDays: 7,
            available: true,
          }),
          { id: 'thanks', type: 'none', name: null, available: true },
        ]);
      } finally {
        await first.close();
      }
      expect((await participate('last-coupon', { userId: 'takes-the-last' })).status).toBe(201);
      const second = await createTestPocket(backends, overrides());
      try {
        expect((await viewOf(second.app)).map((r) => [r['id'], r['available']])).toEqual([
          ['the-coupon', false],
          ['thanks', true],
        ]);
      } finally {
        await second.close();
      }
    });

    it('answers 404 campaign_not_found for a draft or an unknown campaign', async () => {
      for (const id of ['work-in-progress', 'never-heard-of-it']) {
        const res = await request(pocket.app).get(`/v1/campaigns/${id}`);
        expect([id, res.status, errorOf(res)['code']]).toEqual([id, 404, 'campaign_not_found']);
      }
    });

    it('says an id over 64 characters is too long, not that it is not kebab-case', async () => {
      const long = await request(pocket.app).get(`/v1/campaigns/${'a'.repeat(65)}`);
      expect([long.status, errorOf(long)['fields']]).toEqual([
        400,
        [
          {
            path: 'id',
            message: 'must be at most 64 characters (a campaign id is kebab-case, 1-64 characters)',
          },
        ],
      ]);
      const bad = await request(pocket.app).get('/v1/campaigns/Not_Kebab');
      expect(errorOf(bad)['fields']).toEqual([{ path: 'id', message: 'must be a kebab-case campaign id' }]);
    });
  });

  describe('GET /v1/users/{userId}/grants', () => {
    const grantIdOf = (res: Response): string => ((res.body as Json)['grant'] as Json)['id'] as string;

    it("shows that user's grants only, newest first, filtered by campaign and limited", async () => {
      const at = (iso: string) => {
        now = new Date(iso);
      };
      try {
        at('2026-06-15T09:00:00+08:00');
        const coin = await participate('members-only', {
          userId: 'member-lister',
          context: { channel: 'app' },
        });
        at('2026-06-15T10:00:00+08:00');
        const thanks1 = await participate('open-thanks', { userId: 'member-lister' });
        at('2026-06-15T11:00:00+08:00');
        const other = await participate('open-thanks', { userId: 'someone-else' });
        at('2026-06-16T01:00:00+08:00');
        const thanks2 = await participate('open-thanks', { userId: 'member-lister' });
        expect([coin, thanks1, other, thanks2].map((r) => r.status)).toEqual([201, 201, 201, 201]);

        const all = await request(pocket.app).get('/v1/users/member-lister/grants');
        expect(all.status).toBe(200);
        const body = all.body as { userId: string; grants: Json[] };
        expect(body.userId).toBe('member-lister');
        expect(body.grants.map((g) => g['id'])).toEqual([
          grantIdOf(thanks2),
          grantIdOf(thanks1),
          grantIdOf(coin),
        ]);
        expect(body.grants.map((g) => g['id'])).not.toContain(grantIdOf(other));
        expect(body.grants[0]).toEqual({
          id: grantIdOf(thanks2),
          campaignId: 'open-thanks',
          campaignVersion: 1,
          rewardId: 'thanks',
          type: 'none',
          amount: 0,
          charge: 0,
          currency: null,
          businessDate: '2026-06-16',
          status: 'pending',
          test: false,
          createdAt: '2026-06-15T17:00:00.000Z',
        });
        expect(body.grants[2]).toMatchObject({
          type: 'red_packet',
          amount: 10,
          currency: 'CNY',
          businessDate: '2026-06-15',
        });

        const newest = await request(pocket.app).get('/v1/users/member-lister/grants?limit=1');
        expect((newest.body as { grants: Json[] }).grants.map((g) => g['id'])).toEqual([grantIdOf(thanks2)]);
        const coins = await request(pocket.app).get('/v1/users/member-lister/grants?campaign=members-only');
        expect((coins.body as { grants: Json[] }).grants.map((g) => g['id'])).toEqual([grantIdOf(coin)]);
        const nobody = await request(pocket.app).get('/v1/users/nobody-at-all/grants');
        expect(nobody.body).toEqual({ userId: 'nobody-at-all', nextCursor: null, grants: [] });

        // Paging: each page's nextCursor asks for the next, older one; the last page says null.
        const page = async (query: string) => {
          const res = await request(pocket.app).get(`/v1/users/member-lister/grants?limit=2${query}`);
          expect(res.status).toBe(200);
          expect(res.headers['cache-control']).toBe('private, no-cache');
          return res.body as { nextCursor: string | null; grants: Json[] };
        };
        const first = await page('');
        expect(first.grants.map((g) => g['id'])).toEqual([grantIdOf(thanks2), grantIdOf(thanks1)]);
        expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
        const second = await page(`&before=${first.nextCursor}`);
        expect(second).toEqual({ userId: 'member-lister', nextCursor: null, grants: [body.grants[2]] });
        // A page that ends exactly at the last grant does not promise another.
        expect((await page('&campaign=open-thanks')).nextCursor).toBeNull();
      } finally {
        now = AT;
      }
    });

    it('answers 400 with field errors for a bad limit, campaign or user id', async () => {
      const cases: Array<[string, string]> = [
        ['/v1/users/u/grants?limit=0', 'limit'],
        ['/v1/users/u/grants?limit=201', 'limit'],
        ['/v1/users/u/grants?limit=abc', 'limit'],
        ['/v1/users/u/grants?limit=1.5', 'limit'],
        ['/v1/users/u/grants?limit=1&limit=2', 'limit'],
        ['/v1/users/u/grants?campaign=Not_An_Id', 'campaign'],
        [`/v1/users/${'x'.repeat(129)}/grants`, 'userId'],
        ['/v1/users/a%20b/grants', 'userId'],
        ['/v1/users/u/grants?before=not*a*cursor', 'before'],
        [`/v1/users/u/grants?before=${Buffer.from('["yesterday","g1"]').toString('base64url')}`, 'before'],
        ['/v1/users/u/grants?before=a&before=b', 'before'],
      ];
      for (const [url, field] of cases) {
        const res = await request(pocket.app).get(url);
        expect([url, res.status, errorOf(res)['code'], errorOf(res)['fields']]).toEqual([
          url,
          400,
          'invalid_request',
          [expect.objectContaining({ path: field })],
        ]);
      }
    });
  });

  describe('user tokens for this service only (USER_TOKEN_AUDIENCE, USER_TOKEN_ISSUER)', () => {
    it('refuses a token the identity service minted for another app with the same secret, and takes its own', async () => {
      const config = testConfig({
        USER_TOKEN_AUDIENCE: 'pocket-api,pocket-h5',
        USER_TOKEN_ISSUER: 'https://id.example.com',
      });
      const scoped = await createTestPocket(backends, {
        ...overrides(),
        config: { ...config, definitionsRoot: root },
      });
      try {
        const bearer = (audience: string): string =>
          `Bearer ${jwt.sign({ sub: 'aud-user' }, config.secrets.userToken, {
            algorithm: 'HS256',
            expiresIn: '5m',
            audience,
            issuer: 'https://id.example.com',
          })}`;
        const joined = (audience: string): request.Test =>
          participate('open-thanks', { userId: 'aud-user' }, scoped.app).set(
            'Authorization',
            bearer(audience),
          );
        const grants = (audience: string): request.Test =>
          request(scoped.app).get('/v1/users/aud-user/grants').set('Authorization', bearer(audience));
        const refusal = (res: Response): unknown[] => [
          res.status,
          (res.body as { error?: Json }).error?.['code'],
          res.headers['www-authenticate'],
        ];
        const refused = [401, 'unauthenticated', 'Bearer realm="pocket", error="invalid_token"'];
        expect(refusal(await joined('shop-app'))).toEqual(refused);
        expect(refusal(await grants('shop-app'))).toEqual(refused);
        expect((await joined('pocket-h5')).status).toBe(201);
        const own = await grants('pocket-api');
        expect([own.status, (own.body as { grants: Json[] }).grants.length]).toEqual([200, 1]);
      } finally {
        await scoped.close();
      }
    });
  });

  describe('health and readiness', () => {
    it('/healthz answers 200 ok', async () => {
      const res = await request(pocket.app).get('/healthz');
      expect([res.status, res.body]).toEqual([200, { status: 'ok' }]);
    });

    it('/readyz is 503 before start(), 200 once started, 503 while draining', async () => {
      const config = { ...testConfig(), definitionsRoot: root };
      const fresh = await createPocket(config, {
        logger: silentLogger(),
        db: backends.ledger.db,
        hotState: backends.hotState(),
        clock: () => AT,
        profiles: fixtureProfiles,
      });
      try {
        const readyz = async (): Promise<[number, unknown]> => {
          const res = await request(fresh.app).get('/readyz');
          return [res.status, res.body];
        };
        expect(await readyz()).toEqual([503, { status: 'not_ready' }]);
        await fresh.start();
        expect(await readyz()).toEqual([200, { status: 'ready' }]);
        fresh.setDraining(true);
        expect(await readyz()).toEqual([503, { status: 'not_ready' }]);
        expect((await request(fresh.app).get('/healthz')).status).toBe(200);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('graceful shutdown', () => {
    it('finishes the request in flight, refuses new connections, then resolves', async () => {
      let entered: () => void = () => undefined;
      const inFlight = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const slowProfiles: ProfileSource = {
        profile: () => {
          entered();
          return new Promise((resolve) => setTimeout(() => resolve({}), 300));
        },
      };
      const running = await startPocket(
        { ...testConfig(), definitionsRoot: root, port: 0, shutdownGraceMs: 20000 },
        {
          logger: silentLogger(),
          db: backends.ledger.db,
          hotState: backends.hotState(),
          clock: () => AT,
          profiles: slowProfiles,
        },
      );
      const path = '/v1/campaigns/open-thanks/participations';
      // A keep-alive client, as a gateway would be: the server must not let it hold the shutdown open.
      const keepAlive = new Agent({ keepAlive: true });
      const slow = post(running.url, path, { userId: 'slow-user' }, 'slow-key', keepAlive);
      await inFlight;

      const stopped = running.shutdown();
      expect(running.pocket.ready()).toBe(false);
      await expect(post(running.url, path, { userId: 'late-user' }, 'late-key')).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      const answer = await slow;
      expect([answer.status, answer.body['outcome']]).toEqual([201, 'granted']);
      // The answer tells the client not to reuse the connection, so nothing holds the server open.
      expect(answer.headers['connection']).toBe('close');
      await expect(stopped).resolves.toBeUndefined();
      expect(running.server.listening).toBe(false);
      keepAlive.destroy();

      // The grant really was committed before the pools closed.
      const grants = await request(pocket.app).get('/v1/users/slow-user/grants');
      expect((grants.body as { grants: Json[] }).grants.map((g) => g['id'])).toEqual([
        (answer.body['grant'] as Json)['id'],
      ]);
    });
  });
});
