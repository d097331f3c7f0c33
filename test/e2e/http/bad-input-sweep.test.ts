/**
 * Bad input beyond the participation body, on every route (DESIGN.md invariant 5: a clear 4xx and no change):
 * a method a documented path does not answer (405 with Allow, OPTIONS 204), a body sent with a GET or DELETE
 * (ignored, never an undocumented 400/413), integer query parameters spelled as anything but decimal digits,
 * a participation's `trace` other than 1, a paging cursor never handed out (one PostgreSQL cannot compare), a
 * report from before 1970 or to after 9998, an admin change's text holding a NUL, and a rollback target beyond what the ledger's
 * version column can hold. Both backend pairs.
 */
import request from 'supertest';
import type { Response } from 'supertest';
import type { Pocket } from '../../../src/server';
import { OpenApiContract, pointer, type HttpMethod } from '../../helpers/openapi-contract';
import { withRepeatedHeader } from '../../helpers/repeated-header';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { AT, fixtureGuard, fixtureProfiles, writeDefinitions } from './http-fixtures';

type Json = Record<string, unknown>;

const contract = new OpenApiContract();
const errorOf = (res: Response): Json => (res.body as { error: Json }).error;

/** The documented 405 answer: status, Allow header and body schema (components/responses/MethodNotAllowed). */
function expectMethodNotAllowed(where: string, res: Response, allow: string): void {
  expect([where, res.status, res.headers['allow']]).toEqual([where, 405, allow]);
  if (where.startsWith('HEAD ')) return; // no body
  expect([where, errorOf(res)['code']]).toEqual([where, 'method_not_allowed']);
  const schema = contract.validator(
    pointer('components', 'responses', 'MethodNotAllowed', 'content', 'application/json', 'schema'),
  );
  expect([where, schema(JSON.parse(res.text))]).toEqual([where, true]);
}

describeEachBackend('bad input on every route', (backend) => {
  let root: string;
  let backends: TestBackends;
  let pocket: Pocket;
  const bearer: Record<string, string> = {};

  beforeAll(async () => {
    root = writeDefinitions();
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      config: { definitionsRoot: root },
      clock: () => AT,
      profiles: fixtureProfiles,
      guard: fixtureGuard,
    });
    for (const scope of ['publish', 'read', 'operate'] as const) {
      bearer[scope] = (await pocket.tokens.create([scope], `sweep-${scope}`)).token;
    }
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  describe('a method the path does not answer', () => {
    const READ = 'GET, HEAD, OPTIONS';
    const public_: Array<[string, string]> = [
      ['/v1/campaigns', READ],
      ['/v1/campaigns/open-thanks', READ],
      ['/v1/campaigns/open-thanks/participations', 'POST, OPTIONS'],
      ['/v1/users/u-1/grants', READ],
      ['/healthz', READ],
      ['/readyz', READ],
      ['/openapi.json', READ],
      ['/metrics', READ],
      ['/dashboard', READ],
      ['/dashboard/dashboard.js', READ],
    ];

    it('is 405 method_not_allowed with Allow on every public path, whatever the body', async () => {
      for (const [path, allow] of public_) {
        for (const method of ['put', 'patch', 'delete', 'post', 'get', 'head'] as const) {
          if (allow.split(', ').includes(method.toUpperCase())) continue;
          // A body the route would refuse (415 or 400) does not hide that the method is wrong.
          const res = await request(pocket.app)
            [method](path)
            .set('Content-Type', 'text/plain')
            .send('not json');
          expectMethodNotAllowed(`${method.toUpperCase()} ${path}`, res, allow);
        }
      }
      // As express routes them: any case, a trailing slash.
      expectMethodNotAllowed(
        'DELETE /V1/Campaigns/open-thanks/',
        await request(pocket.app).delete('/V1/Campaigns/open-thanks/'),
        READ,
      );
      // A well-formed participation sent with the wrong method is refused whole: no grant.
      const put = await request(pocket.app)
        .put('/v1/campaigns/open-thanks/participations')
        .set('Idempotency-Key', 'sweep-put-1')
        .send({ userId: 'sweep-put' });
      expectMethodNotAllowed('PUT participations', put, 'POST, OPTIONS');
      const grants = await request(pocket.app).get('/v1/users/sweep-put/grants');
      expect([grants.status, (grants.body as { grants: unknown[] }).grants]).toEqual([200, []]);
    });

    it('is 204 with the same Allow for OPTIONS on every documented path', async () => {
      for (const [path, allow] of public_) {
        const res = await request(pocket.app).options(path);
        expect([path, res.status, res.headers['allow'], res.text]).toEqual([path, 204, allow, '']);
      }
    });

    it('under /admin: 401 without a token first, then 405 with Allow', async () => {
      const anonymous = await request(pocket.app).put('/admin/tokens');
      expect([anonymous.status, errorOf(anonymous)['code']]).toEqual([401, 'unauthenticated']);
      const auth = `Bearer ${bearer['read']}`;
      expectMethodNotAllowed(
        'PUT /admin/tokens',
        await request(pocket.app).put('/admin/tokens').set('Authorization', auth),
        READ,
      );
      expectMethodNotAllowed(
        'GET /admin/publish',
        await request(pocket.app).get('/admin/publish').set('Authorization', auth),
        'POST, OPTIONS',
      );
      expectMethodNotAllowed(
        'DELETE versions',
        await request(pocket.app).delete('/admin/campaigns/open-thanks/versions').set('Authorization', auth),
        READ,
      );
      const options = await request(pocket.app)
        .options('/admin/tokens/0123456789abcdef')
        .set('Authorization', auth);
      expect([options.status, options.headers['allow']]).toEqual([204, 'DELETE, OPTIONS']);
    });

    it('under /admin: 401 without a token whatever the body, then 415 for one that is not JSON', async () => {
      const send = (authorization?: string) => {
        const req = request(pocket.app).post('/admin/publish').set('Content-Type', 'text/plain');
        return (authorization ? req.set('Authorization', authorization) : req).send('campaigns');
      };
      const anonymous = await send();
      expect([anonymous.status, errorOf(anonymous)['code']]).toEqual([401, 'unauthenticated']);
      const unsupported = await send(`Bearer ${bearer['publish']}`);
      expect([unsupported.status, errorOf(unsupported)['code']]).toEqual([415, 'unsupported_media_type']);
    });

    it('stays 404 not_found on a path no route holds', async () => {
      for (const res of [
        await request(pocket.app).put('/v2/campaigns'),
        await request(pocket.app).options('/nowhere'),
        await request(pocket.app).get('/v1/campaigns/open-thanks/versions'),
      ]) {
        expect([res.status, errorOf(res)['code'], res.headers['allow']]).toEqual([
          404,
          'not_found',
          undefined,
        ]);
      }
    });
  });

  describe('a body sent with a GET or DELETE', () => {
    const check = (method: HttpMethod, template: string, res: Response): Response => {
      contract.check(method, template, res);
      return res;
    };

    it('is ignored: bad JSON, an array or 9 KB never turn a GET into an undocumented 400 or 413', async () => {
      const bodies: Array<[string, string]> = [
        ['application/json', '{"bad": '],
        ['application/json', '[1, 2]'],
        ['application/json', `{"pad": "${'x'.repeat(9000)}"}`],
      ];
      const gets: Array<[string, string]> = [
        ['/healthz', '/healthz'],
        ['/readyz', '/readyz'],
        ['/v1/campaigns', '/v1/campaigns'],
        ['/v1/campaigns/{id}', '/v1/campaigns/open-thanks'],
        ['/v1/users/{userId}/grants', '/v1/users/u-1/grants'],
        ['/openapi.json', '/openapi.json'],
        ['/metrics', '/metrics'],
      ];
      for (const [template, url] of gets) {
        for (const [type, body] of bodies) {
          const res = check(
            'get',
            template,
            await request(pocket.app).get(url).set('Content-Type', type).send(body),
          );
          expect([url, res.status]).toEqual([url, 200]);
        }
      }
      const audit = check(
        'get',
        '/admin/audit',
        await request(pocket.app)
          .get('/admin/audit')
          .set('Authorization', `Bearer ${bearer['read']}`)
          .set('Content-Type', 'application/json')
          .send('{"bad": '),
      );
      expect(audit.status).toBe(200);
    });

    it('is ignored on DELETE /admin/tokens/{tokenId}: the answer is the documented 204 or 404', async () => {
      const throwaway = await pocket.tokens.create(['read'], 'sweep-throwaway');
      const del = (id: string): Promise<Response> =>
        request(pocket.app)
          .delete(`/admin/tokens/${id}`)
          .set('Authorization', `Bearer ${bearer['operate']}`)
          .set('Content-Type', 'application/json')
          .send('{"bad": ');
      const revoked = check('delete', '/admin/tokens/{tokenId}', await del(throwaway.summary.id));
      const again = check('delete', '/admin/tokens/{tokenId}', await del(throwaway.summary.id));
      expect([revoked.status, again.status, errorOf(again)['code']]).toEqual([204, 404, 'token_not_found']);
    });
  });

  describe('integer query parameters', () => {
    const notIntegers = ['0x10', '1e2', '1.0', '+5', '%205', '5%20', '-0', '00000000000000000001'];

    it('take decimal digits only: /v1/users/{userId}/grants?limit=', async () => {
      for (const limit of notIntegers) {
        const res = await request(pocket.app).get(`/v1/users/u-1/grants?limit=${limit}`);
        contract.check('get', '/v1/users/{userId}/grants', res);
        expect([limit, res.status, errorOf(res)['fields']]).toEqual([
          limit,
          400,
          [{ path: 'limit', message: 'must be an integer from 1 to 200' }],
        ]);
      }
      const ok = await request(pocket.app).get('/v1/users/u-1/grants?limit=007');
      expect(ok.status).toBe(200);
    });

    it('take decimal digits only: /admin/audit?limit=', async () => {
      for (const limit of notIntegers) {
        const res = await request(pocket.app)
          .get(`/admin/audit?limit=${limit}`)
          .set('Authorization', `Bearer ${bearer['read']}`);
        contract.check('get', '/admin/audit', res);
        expect([limit, res.status, errorOf(res)['fields']]).toEqual([
          limit,
          400,
          [{ path: 'limit', message: 'must be an integer from 1 to 10000' }],
        ]);
      }
    });
  });

  describe('paging cursors', () => {
    // Well-formed base64url pairs this service never hands out: a year before PostgreSQL's timestamptz range
    // ("timestamp out of range") and an id holding a NUL (no PostgreSQL text holds one) were 500s there.
    const cursor = (at: string, id: string): string =>
      Buffer.from(JSON.stringify([at, id])).toString('base64url');
    const forged = [
      cursor('-271821-04-20T00:00:00.000Z', 'g-1'),
      cursor('-004714-11-23T00:00:00.000Z', 'g-1'),
      cursor('2026-06-15T04:00:00.000Z', 'g-\u0000'),
    ];

    it('that were never handed out are a 400 naming them: GET /v1/users/{userId}/grants?before=', async () => {
      for (const before of forged) {
        const res = await request(pocket.app).get(`/v1/users/u-1/grants?before=${before}`);
        contract.check('get', '/v1/users/{userId}/grants', res);
        expect([before, res.status, errorOf(res)['fields']]).toEqual([
          before,
          400,
          [{ path: 'before', message: 'must be the nextCursor of an earlier page' }],
        ]);
      }
    });

    it('that were never handed out are a 400 naming them: GET /admin/campaigns/{id}/grants?after=', async () => {
      for (const after of forged) {
        const res = await request(pocket.app)
          .get(`/admin/campaigns/open-thanks/grants?after=${after}`)
          .set('Authorization', `Bearer ${bearer['read']}`);
        contract.check('get', '/admin/campaigns/{id}/grants', res);
        expect([after, res.status, errorOf(res)['fields']]).toEqual([
          after,
          400,
          [{ path: 'after', message: 'must be the nextCursor of an earlier page' }],
        ]);
      }
    });
  });

  it('GET /admin/campaigns/{id}/grants?from= with an unencoded + says to send it as %2B, as the report does', async () => {
    // The hint's own example pasted into a URL: its + arrives as a space, and the format hint alone sent it back.
    const res = await request(pocket.app)
      .get('/admin/campaigns/open-thanks/grants?from=2026-11-27T17:31:08+00:00&to=2026-11-28T00:00:00Z')
      .set('Authorization', `Bearer ${bearer['read']}`);
    contract.check('get', '/admin/campaigns/{id}/grants', res);
    expect([res.status, errorOf(res)['fields']]).toEqual([
      400,
      [
        {
          path: 'from',
          message:
            "has a space where its offset's + should be: a + in a query string reads as a space, send it as %2B " +
            '(2026-11-27T17:31:08%2B00:00)',
        },
      ],
    ]);
  });

  describe('POST /v1/campaigns/{id}/participations?trace=', () => {
    it('is 1 or absent: anything else is a 400 naming it, and nothing is granted', async () => {
      for (const [i, trace] of ['true', 'yes', '0', '', '1&trace=1'].entries()) {
        const res = await request(pocket.app)
          .post(`/v1/campaigns/open-thanks/participations?trace=${trace}`)
          .set('Idempotency-Key', `trace-${i}`)
          .send({ userId: 'trace-u' });
        contract.check('post', '/v1/campaigns/{id}/participations', res);
        expect([trace, res.status, errorOf(res)['fields']]).toEqual([
          trace,
          400,
          [{ path: 'trace', message: 'must be 1 (a tester asks for the decision trace), or left out' }],
        ]);
      }
      const grants = await request(pocket.app).get('/v1/users/trace-u/grants');
      expect((grants.body as Json)['grants']).toEqual([]);
      const ok = await request(pocket.app)
        .post('/v1/campaigns/open-thanks/participations?trace=1')
        .set('Idempotency-Key', 'trace-ok')
        .send({ userId: 'trace-u' });
      expect(ok.status).toBe(201);
    });
  });

  describe('POST /v1/campaigns/{id}/participations with two Idempotency-Key headers', () => {
    it('is a 400 that says the header was sent twice, even with one value, and nothing is granted', async () => {
      for (const keys of [
        ['twice', 'twice'],
        ['twice-a', 'twice-b'],
      ]) {
        const res = await withRepeatedHeader(
          request(pocket.app).post('/v1/campaigns/open-thanks/participations'),
          'Idempotency-Key',
          keys,
        ).send({ userId: 'twice-u' });
        contract.check('post', '/v1/campaigns/{id}/participations', res);
        // Node joined them (`twice, twice`), and the 400 blamed the characters of a key the caller never sent.
        expect([keys, res.status, errorOf(res)['fields']]).toEqual([
          keys,
          400,
          [
            {
              path: 'Idempotency-Key',
              message: 'must be sent once: with two, which key is meant is unclear',
            },
          ],
        ]);
      }
      const grants = await request(pocket.app).get('/v1/users/twice-u/grants');
      expect((grants.body as Json)['grants']).toEqual([]);
    });
  });

  describe('GET /admin/campaigns/{id}/report?from=&to=', () => {
    const report = (query: string) =>
      request(pocket.app)
        .get(`/admin/campaigns/open-thanks/report?${query}`)
        .set('Authorization', `Bearer ${bearer['read']}`);

    it('refuses a time before 1970 or from 9999 on: a timeline point there has no RFC 3339 date-time', async () => {
      // Year 50 was PostgreSQL's 500 (its zone offset 1,900 years off); year 0's first point was `-000001-12-…`.
      for (const query of [
        'from=0050-06-01T00:00:00Z',
        'from=0000-01-01T00:00:00Z',
        'from=1969-12-31T23:59:59Z',
        'to=9999-12-31T23:59:59-12:00',
      ]) {
        const res = await report(query);
        contract.check('get', '/admin/campaigns/{id}/report', res);
        const field = query.slice(0, query.indexOf('='));
        expect([query, res.status, errorOf(res)['code'], errorOf(res)['fields']]).toEqual([
          query,
          400,
          'invalid_request',
          [{ path: field, message: 'must be from 1970-01-01T00:00:00Z and before 9999-01-01T00:00:00Z' }],
        ]);
      }
    });

    it('takes the bounds themselves', async () => {
      const res = await report('from=1970-01-01T00:00:00Z&to=9998-12-31T23:59:59Z');
      contract.check('get', '/admin/campaigns/{id}/report', res);
      expect(res.status).toBe(200);
      const points = (res.body as { timeline: { points: Array<{ at: string }> } }).timeline.points;
      for (const p of points) expect(p.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    });
  });

  describe("an admin change's note, author and gitCommit", () => {
    it('holding a NUL are a 400 naming each, and change nothing (PostgreSQL text holds no NUL)', async () => {
      const auth = (scope: string): Record<string, string> => ({ Authorization: `Bearer ${bearer[scope]}` });
      const active = await request(pocket.app)
        .get('/admin/campaigns/open-thanks/versions/active')
        .set(auth('read'));
      const campaign = JSON.parse((active.body as { body: string }).body) as { definition: Json };
      campaign.definition['name'] = 'Open thanks, renamed';
      const versionsBefore = await pocket.lifecycle.versions('open-thanks');
      const auditBefore = await pocket.lifecycle.audit({ limit: 10000 });
      const nul = 'a\u0000b';
      const message = 'must not hold the NUL character (\\u0000)';
      const publish = await request(pocket.app)
        .post('/admin/publish')
        .set(auth('publish'))
        .send({ campaigns: [campaign], note: nul, author: nul, gitCommit: nul });
      contract.check('post', '/admin/publish', publish);
      expect([publish.status, errorOf(publish)['fields']]).toEqual([
        400,
        ['note', 'author', 'gitCommit'].map((path) => ({ path, message })),
      ]);
      const pause = await request(pocket.app)
        .post('/admin/campaigns/pausable/pause')
        .set(auth('operate'))
        .send({ note: nul });
      contract.check('post', '/admin/campaigns/{id}/pause', pause);
      expect([pause.status, errorOf(pause)['fields']]).toEqual([400, [{ path: 'note', message }]]);
      expect(await pocket.lifecycle.versions('open-thanks')).toEqual(versionsBefore);
      expect(await pocket.lifecycle.audit({ limit: 10000 })).toEqual(auditBefore);
    });
  });

  describe('POST /admin/campaigns/{id}/rollback', () => {
    it('answers 404 version_not_found for a version no ledger column can hold, and changes nothing', async () => {
      const R = '/admin/campaigns/{id}/rollback';
      const auth = { Authorization: `Bearer ${bearer['publish']}` };
      const auditBefore = await pocket.lifecycle.audit({ campaignId: 'open-thanks', limit: 100 });
      const activeBefore = await pocket.lifecycle.activeVersion('open-thanks');
      for (const to of ['2147483648', '9007199254740993', '1e300']) {
        const res = await request(pocket.app)
          .post('/admin/campaigns/open-thanks/rollback')
          .set(auth)
          .set('Content-Type', 'application/json')
          .send(`{"to": ${to}}`);
        contract.check('post', R, res);
        expect([to, res.status, errorOf(res)['code']]).toEqual([to, 404, 'version_not_found']);
      }
      expect(await pocket.lifecycle.audit({ campaignId: 'open-thanks', limit: 100 })).toEqual(auditBefore);
      expect(await pocket.lifecycle.activeVersion('open-thanks')).toEqual(activeBefore);
    });
  });
});
