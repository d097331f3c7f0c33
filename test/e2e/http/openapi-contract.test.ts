/**
 * src/http/openapi.json is the HTTP contract: the document is well formed, its request schema is
 * schemas/participation-request.schema.json, and real requests on both backends produce every answer it
 * documents (and no other): status, content type, body schema and headers.
 */
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Response } from 'supertest';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { requestHash } from '../../../src/participation/participation-request';
import { RedisHotState } from '../../../src/hot-state/redis-hot-state';
import { KnexCampaignVersionStore } from '../../../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { ReportService } from '../../../src/observability/report/report-service';
import { CampaignGrantsService } from '../../../src/participation/campaign-grants-service';
import { TokenService } from '../../../src/protection/token-service';
import { LedgerLifecycle } from '../../../src/publishing/ledger-lifecycle';
import type { Pocket, PocketOverrides } from '../../../src/server';
import { schemaPath } from '../../../src/shared/package-root';
import { withLedger } from '../../helpers/ledger';
import {
  createSchemaAjv,
  OpenApiContract,
  pointer,
  resolveLocal,
  type HttpMethod,
} from '../../helpers/openapi-contract';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { AT, fixtureGuard, fixtureProfiles, writeDefinitions } from './http-fixtures';
import { withRepeatedHeader } from '../../helpers/repeated-header';

type Json = Record<string, unknown>;
const PARTICIPATE = '/v1/campaigns/{id}/participations';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const contract = new OpenApiContract();
const doc = contract.doc;
const paths = doc['paths'] as Record<string, Json>;

function operations(): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      path,
      method,
      op: item[method] as Json,
    })),
  );
}

function collectRefs(node: unknown, at: string, out: Array<{ at: string; ref: string }>): void {
  if (Array.isArray(node)) node.forEach((child, i) => collectRefs(child, `${at}/${i}`, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push({ at, ref: value });
      else collectRefs(value, `${at}/${key}`, out);
    }
  }
}

describe('openapi.json', () => {
  it('is an OpenAPI 3.1 document whose operations have unique ids, tags, summaries and described answers', () => {
    expect(doc['openapi']).toMatch(/^3\.1\.\d+$/);
    expect(doc['info']).toMatchObject({ title: 'pocket', version: expect.any(String) });
    const ids = operations().map(({ op }) => op['operationId']);
    expect(new Set(ids).size).toBe(ids.length);
    const declaredTags = new Set((doc['tags'] as Array<{ name: string }>).map((t) => t.name));
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect([where, typeof op['operationId'], typeof op['summary']]).toEqual([where, 'string', 'string']);
      for (const tag of op['tags'] as string[]) expect([where, declaredTags.has(tag)]).toEqual([where, true]);
      const responses = op['responses'] as Record<string, Json>;
      expect(Object.keys(responses).length).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(responses)) {
        expect([where, status]).toEqual([where, expect.stringMatching(/^[1-5]\d\d$/)]);
        const resolved = (
          typeof response['$ref'] === 'string' ? resolveLocal(doc, response['$ref']) : response
        ) as Json;
        expect([where, status, typeof resolved['description']]).toEqual([where, status, 'string']);
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs: Array<{ at: string; ref: string }> = [];
    collectRefs(doc, '#', refs);
    expect(refs.length).toBeGreaterThan(20);
    const broken = refs.filter(({ ref }) => resolveLocal(doc, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('declares every path template parameter as a required path parameter', () => {
    for (const { path, method, op } of operations()) {
      const declared = ((op['parameters'] ?? []) as Json[])
        .map((p) => (typeof p['$ref'] === 'string' ? (resolveLocal(doc, p['$ref']) as Json) : p))
        .filter((p) => p['in'] === 'path' && p['required'] === true)
        .map((p) => p['name'])
        .sort();
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect([`${method} ${path}`, declared]).toEqual([`${method} ${path}`, inTemplate]);
    }
  });

  it('compiles every schema (components, parameters, bodies, answers, headers) under ajv strict mode', () => {
    const components = doc['components'] as Record<string, Record<string, Json>>;
    const fragments = Object.keys(components['schemas'] ?? {}).map((name) =>
      pointer('components', 'schemas', name),
    );
    for (const name of Object.keys(components['parameters'] ?? {})) {
      fragments.push(pointer('components', 'parameters', name, 'schema'));
    }
    const answers = (base: string[], response: Json): void => {
      for (const type of Object.keys((response['content'] ?? {}) as Json)) {
        fragments.push(pointer(...base, 'content', type, 'schema'));
      }
      for (const header of Object.keys((response['headers'] ?? {}) as Json)) {
        fragments.push(pointer(...base, 'headers', header, 'schema'));
      }
    };
    for (const [name, response] of Object.entries(components['responses'] ?? {})) {
      answers(['components', 'responses', name], response);
    }
    for (const { path, method, op } of operations()) {
      ((op['parameters'] ?? []) as Json[]).forEach((p, i) => {
        if (typeof p['$ref'] !== 'string')
          fragments.push(pointer('paths', path, method, 'parameters', String(i), 'schema'));
      });
      for (const [status, response] of Object.entries(op['responses'] as Record<string, Json>)) {
        if (typeof response['$ref'] !== 'string')
          answers(['paths', path, method, 'responses', status], response);
      }
    }
    expect(fragments.length).toBeGreaterThan(40);
    for (const fragment of fragments)
      expect([fragment, typeof contract.validator(fragment)]).toEqual([fragment, 'function']);
    // A strict compile really does reject a typo'd keyword: the check above can fail.
    expect(() => createSchemaAjv().compile({ type: 'object', additionalProperty: false })).toThrow(
      /unknown keyword/,
    );
  });

  it('describes the participation body with exactly schemas/participation-request.schema.json', () => {
    const file = JSON.parse(readFileSync(schemaPath('participation-request.schema.json'), 'utf8')) as unknown;
    const schemas = (doc['components'] as Json)['schemas'] as Json;
    expect(schemas['ParticipationRequest']).toEqual(file);
    const body = (paths[PARTICIPATE]?.['post'] as Json)['requestBody'] as Json;
    expect(body).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ParticipationRequest' } } },
    });
  });

  it('documents the DESIGN.md answer table for participations', () => {
    const responses = (paths[PARTICIPATE]?.['post'] as Json)['responses'] as Json;
    expect(Object.keys(responses).sort()).toEqual(
      ['200', '201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '500', '503'].sort(),
    );
    const refusal = (resolveLocal(doc, '#/components/schemas/BusinessRefusal') as Json)['enum'];
    expect(refusal).toEqual([
      'not_eligible',
      'limit_reached',
      'out_of_stock',
      'budget_exhausted',
      'not_started',
      'ended',
      'paused',
      'channel_not_allowed',
    ]);
    const forbidden = contract.validator(
      pointer('paths', PARTICIPATE, 'post', 'responses', '403', 'content', 'application/json', 'schema'),
    );
    for (const code of [
      'code_missing',
      'code_invalid',
      'code_expired',
      'code_used',
      'blocked',
      'risk_denied',
      'velocity',
      'user_mismatch',
      'forbidden_scope',
    ]) {
      expect([code, forbidden({ error: { code, message: 'no' } })]).toEqual([code, true]);
    }
    expect(forbidden({ error: { code: 'rate_limited', message: 'no' } })).toBe(false);
    const header = (resolveLocal(doc, '#/components/responses/RateLimited/headers/Retry-After') as Json)[
      'required'
    ];
    expect(header).toBe(true);
  });
});

describeEachBackend('HTTP answers match openapi.json', (backend) => {
  const live = new OpenApiContract();
  let root: string;
  let backends: TestBackends;
  let pocket: Pocket;
  const extra: Array<{ close(): Promise<void> }> = [];

  const fixtureOverrides = (): PocketOverrides & { config: { definitionsRoot: string } } => ({
    config: { definitionsRoot: root },
    clock: () => AT,
    profiles: fixtureProfiles,
    guard: fixtureGuard,
  });

  beforeAll(async () => {
    root = writeDefinitions();
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, fixtureOverrides());
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    for (const p of extra) await p.close();
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  /** A pocket on a ledger of its own (in-memory hot state), so a test may destroy that ledger. */
  async function onOwnLedger(): Promise<{ pocket: Pocket; ledger: Awaited<ReturnType<typeof withLedger>> }> {
    const ledger = await withLedger(backend === 'postgres+redis' ? 'postgres' : 'sqlite');
    const own = await createTestPocket(backends, {
      ...fixtureOverrides(),
      db: ledger.db,
      hotState: new MemoryHotState(),
    });
    return { pocket: own, ledger };
  }

  let keys = 0;
  const nextKey = (): string => `key-${++keys}`;

  function participate(
    campaignId: string,
    body: unknown,
    opts: { key?: string | null; app?: Pocket['app'] } = {},
  ): request.Test {
    const req = request(opts.app ?? pocket.app).post(`/v1/campaigns/${campaignId}/participations`);
    const key = opts.key === undefined ? nextKey() : opts.key;
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body as object);
  }

  /** Checks `res` against the document (path template) and returns it for the test's own assertions. */
  function conforms(res: Response, path = PARTICIPATE, method: HttpMethod = 'post'): Response {
    live.check(method, path, res);
    return res;
  }

  const outcome = (res: Response): unknown => (res.body as Json)['outcome'];
  const code = (res: Response): unknown => ((res.body as Json)['error'] as Json | undefined)?.['code'];
  const errorOf = (res: Response): Json => (res.body as { error: Json }).error;

  it('201: a red packet, a coupon and a consolation, each with its grant and campaign version', async () => {
    const packet = conforms(
      await participate('members-only', { userId: 'member-201', context: { channel: 'app' } }),
    );
    const coupon = conforms(await participate('last-coupon', { userId: 'coupon-winner' }));
    const thanks = conforms(await participate('open-thanks', { userId: 'anyone-201' }));
    expect([packet.status, coupon.status, thanks.status]).toEqual([201, 201, 201]);
    expect(packet.body).toMatchObject({ outcome: 'granted', campaignVersion: 1 });
    expect((packet.body as Json)['grant']).toMatchObject({
      rewardId: 'coin',
      type: 'red_packet',
      amount: 10,
      charge: 10,
      test: false,
    });
    expect((coupon.body as Json)['grant']).toMatchObject({
      rewardId: 'the-coupon',
      type: 'coupon',
      amount: 500,
      charge: 100,
    });
    expect((thanks.body as Json)['grant']).toMatchObject({
      rewardId: 'thanks',
      type: 'none',
      amount: 0,
      charge: 0,
    });
  });

  it('200: every business refusal, paused included', async () => {
    const store = new KnexCampaignVersionStore();
    await store.setPaused(backends.ledger.db, 'pausable', true, 'http-tests', AT);
    await pocket.registry.refresh();

    // last-coupon's only coupon went in the 201 test above.
    conforms(await participate('tiny-budget', { userId: 'budget-first' }));
    conforms(await participate('members-only', { userId: 'member-twice', context: { channel: 'app' } }));

    const cases: Array<[string, string, Json]> = [
      ['not_eligible', 'members-only', { userId: 'not-a-member', context: { channel: 'app' } }],
      ['limit_reached', 'members-only', { userId: 'member-twice', context: { channel: 'app' } }],
      ['out_of_stock', 'last-coupon', { userId: 'coupon-loser' }],
      ['budget_exhausted', 'tiny-budget', { userId: 'budget-second' }],
      ['not_started', 'future-sale', { userId: 'too-early' }],
      ['ended', 'past-sale', { userId: 'too-late' }],
      ['paused', 'pausable', { userId: 'on-pause' }],
      ['channel_not_allowed', 'members-only', { userId: 'member-h5', context: { channel: 'h5' } }],
    ];
    const seen: Array<[string, number, unknown]> = [];
    for (const [expected, campaignId, body] of cases) {
      const res = conforms(await participate(campaignId, body));
      seen.push([expected, res.status, outcome(res)]);
    }
    expect(seen).toEqual(cases.map(([expected]) => [expected, 200, expected]));
  });

  it('replays stored 200, 201 and 403 answers with Idempotent-Replayed, byte for byte', async () => {
    const cases: Array<[string, Json]> = [
      ['open-thanks', { userId: 'replay-201' }],
      ['future-sale', { userId: 'replay-200' }],
      ['open-thanks', { userId: 'fraudster-replay' }],
    ];
    for (const [campaignId, body] of cases) {
      const key = nextKey();
      const first = conforms(await participate(campaignId, body, { key }));
      const again = conforms(await participate(campaignId, body, { key }));
      expect([first.status, again.text, again.headers['idempotent-replayed']]).toEqual([
        first.status,
        first.text,
        'true',
      ]);
    }
  });

  it('400: bad JSON, a missing key, an unknown field, field errors, a bad campaign id', async () => {
    const badJson = conforms(
      await request(pocket.app)
        .post('/v1/campaigns/open-thanks/participations')
        .set('Idempotency-Key', nextKey())
        .set('Content-Type', 'application/json')
        .send('{"userId": '),
    );
    const noKey = conforms(await participate('open-thanks', { userId: 'u-400' }, { key: null }));
    const unknown = conforms(await participate('open-thanks', { userId: 'u-400', bonus: 100 }));
    const fields = conforms(
      await participate('open-thanks', {
        userId: 'not valid!',
        context: { platform: 'nokia', channel: 'APP' },
      }),
    );
    const proto = conforms(
      await request(pocket.app)
        .post('/v1/campaigns/open-thanks/participations')
        .set('Idempotency-Key', nextKey())
        .set('Content-Type', 'application/json')
        .send('{"userId":"u-400","__proto__":{"admin":true}}'),
    );
    const badId = conforms(await participate('Not_Kebab', { userId: 'u-400' }));
    const notObject = conforms(await participate('open-thanks', [{ userId: 'u-400' }]));
    for (const res of [badJson, noKey, unknown, fields, proto, badId, notObject]) {
      expect([res.status, code(res)]).toEqual([400, 'invalid_request']);
    }
    const fieldsOf = (res: Response): unknown => ((res.body as Json)['error'] as Json)['fields'];
    expect(fieldsOf(noKey)).toEqual([{ path: 'Idempotency-Key', message: 'header is required' }]);
    expect(fieldsOf(unknown)).toEqual([{ path: 'bonus', message: 'unknown field' }]);
    expect(fieldsOf(fields)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'userId' }),
        expect.objectContaining({ path: 'context.platform' }),
        expect.objectContaining({ path: 'context.channel' }),
      ]),
    );
    expect(fieldsOf(badId)).toEqual([expect.objectContaining({ path: 'id' })]);
    // Every problem in one answer: the path and the header, then the body.
    const all = conforms(await participate('Not_Kebab', { bonus: 1 }, { key: null }));
    expect(fieldsOf(all)).toEqual([
      { path: 'id', message: 'must be a kebab-case campaign id' },
      { path: 'Idempotency-Key', message: 'header is required' },
      expect.objectContaining({ path: 'userId' }),
      { path: 'bonus', message: 'unknown field' },
    ]);
    expect(fieldsOf(badJson)).toEqual([{ path: '(body)', message: 'Unexpected end of JSON input' }]);
    expect(errorOf(proto)['message']).toBe('request body holds a forbidden key "__proto__"');
  });

  it('401, 403 and 429 from the protection steps (429 with Retry-After)', async () => {
    const stranger = conforms(await participate('open-thanks', { userId: 'stranger-1' }));
    const noCode = conforms(await participate('open-thanks', { userId: 'no-code-1' }));
    const fraud = conforms(await participate('open-thanks', { userId: 'fraudster-1' }));
    const throttled = conforms(await participate('open-thanks', { userId: 'throttled-1' }));
    expect([stranger.status, code(stranger)]).toEqual([401, 'unauthenticated']);
    expect([noCode.status, code(noCode)]).toEqual([403, 'code_missing']);
    expect([fraud.status, code(fraud)]).toEqual([403, 'risk_denied']);
    expect([throttled.status, code(throttled), throttled.headers['retry-after']]).toEqual([
      429,
      'rate_limited',
      '7',
    ]);
  });

  it('401 and 403 from client auth, on participations and on a user’s grants', async () => {
    const userToken = (sub: string): string =>
      jwt.sign({ sub }, pocket.config.secrets.userToken, { algorithm: 'HS256', expiresIn: '5m' });
    const readToken = (await pocket.tokens.create(['read'], 'not-a-client')).token;
    const G = '/v1/users/{userId}/grants';
    const grants = (auth: string): request.Test =>
      request(pocket.app).get('/v1/users/member-201/grants').set('Authorization', auth);
    const asOther = conforms(
      await participate('open-thanks', { userId: 'mismatch-1' }).set(
        'Authorization',
        `Bearer ${userToken('someone-else')}`,
      ),
    );
    const scoped = conforms(
      await participate('open-thanks', { userId: 'scope-1' }).set('Authorization', `Bearer ${readToken}`),
    );
    const seen = [
      conforms(await grants('Bearer nonsense'), G, 'get'),
      conforms(await grants(`Bearer ${userToken('someone-else')}`), G, 'get'),
      conforms(await grants(`Bearer ${readToken}`), G, 'get'),
      asOther,
      scoped,
    ].map((res) => [res.status, code(res)]);
    expect(seen).toEqual([
      [401, 'unauthenticated'],
      [403, 'user_mismatch'],
      [403, 'forbidden_scope'],
      [403, 'user_mismatch'],
      [403, 'forbidden_scope'],
    ]);
  });

  it('401 carries the Bearer challenge of RFC 6750: an invalid token, a malformed header, none sent', async () => {
    const grants = (auth: string): request.Test =>
      request(pocket.app).get('/v1/users/member-201/grants').set('Authorization', auth);
    const admin = request(pocket.app).get('/admin/tokens');
    const challenges = [
      conforms(await grants('Bearer nonsense'), '/v1/users/{userId}/grants', 'get'),
      conforms(await grants('Basic dTpw'), '/v1/users/{userId}/grants', 'get'),
      conforms(await admin, '/admin/tokens', 'get'),
    ].map((res) => res.headers['www-authenticate']);
    expect(challenges).toEqual([
      'Bearer realm="pocket", error="invalid_token"',
      'Bearer realm="pocket", error="invalid_request"',
      'Bearer realm="pocket"',
    ]);
  });

  it('400 naming Authorization for two Authorization headers, on every route that reads a credential', async () => {
    const both = ['Bearer nonsense', 'Bearer other'];
    const twice = [
      conforms(
        await withRepeatedHeader(participate('open-thanks', { userId: 'twice-1' }), 'Authorization', both),
      ),
      conforms(
        await withRepeatedHeader(
          request(pocket.app).get('/v1/users/member-201/grants'),
          'Authorization',
          both,
        ),
        '/v1/users/{userId}/grants',
        'get',
      ),
      conforms(
        await withRepeatedHeader(request(pocket.app).get('/admin/tokens'), 'Authorization', both),
        '/admin/tokens',
        'get',
      ),
    ];
    for (const res of twice) {
      expect([res.status, code(res), errorOf(res)['fields']]).toEqual([
        400,
        'invalid_request',
        [{ path: 'Authorization', message: expect.stringMatching(/^must be sent once/) }],
      ]);
    }
  });

  it('404: an unknown campaign', async () => {
    const res = conforms(await participate('no-such-campaign', { userId: 'u-404' }));
    expect([res.status, code(res)]).toEqual([404, 'campaign_not_found']);
  });

  it("409: the same key in flight, and the user's lock still busy after the wait", async () => {
    const held = {
      campaignId: 'open-thanks',
      userId: 'busy-user',
      idempotencyKey: 'held-key',
      // The body the participation below sends: the same key with the same body is in flight (409).
      requestHash: requestHash({ userId: 'busy-user' }),
      lockToken: 'held-by-the-test',
    };
    const begun = await pocket.hotState.begin({ ...held, lockTtlMs: 30000, markerTtlMs: 30000, waitMs: 0 });
    expect(begun).toBe('ok');
    try {
      const sameKey = conforms(
        await participate('open-thanks', { userId: 'busy-user' }, { key: 'held-key' }),
      );
      const otherKey = conforms(await participate('open-thanks', { userId: 'busy-user' }));
      // The same key with another body can never succeed: 422 at once, not "retry" (DESIGN.md answer table).
      const otherBody = conforms(
        await participate('open-thanks', { userId: 'busy-user', activityCode: 'x' }, { key: 'held-key' }),
      );
      expect([sameKey.status, code(sameKey)]).toEqual([409, 'request_in_flight']);
      expect([otherBody.status, code(otherBody)]).toEqual([422, 'idempotency_mismatch']);
      expect([otherKey.status, code(otherKey)]).toEqual([409, 'user_busy']);
      // A client retries a transient 409 as it does a 429 or 503: when Retry-After says.
      expect([sameKey.headers['retry-after'], otherKey.headers['retry-after']]).toEqual(['1', '1']);
    } finally {
      await pocket.hotState.end({ ...held, final: false, doneTtlMs: 1000 });
    }
    // Transient answers are not stored: once the lock is free, the same key runs.
    const after = conforms(await participate('open-thanks', { userId: 'busy-user' }, { key: 'held-key' }));
    expect(after.status).toBe(201);
  });

  it('413 over 8 KB, 415 for a body that is not application/json', async () => {
    const large = conforms(
      await participate('open-thanks', { userId: 'u-413', activityCode: 'x'.repeat(9000) }),
    );
    const text = conforms(
      await request(pocket.app)
        .post('/v1/campaigns/open-thanks/participations')
        .set('Idempotency-Key', nextKey())
        .set('Content-Type', 'text/plain')
        .send('userId=u-415'),
    );
    expect([large.status, code(large)]).toEqual([413, 'payload_too_large']);
    expect([text.status, code(text)]).toEqual([415, 'unsupported_media_type']);
  });

  it('422: the same key with a different body', async () => {
    const key = nextKey();
    const first = conforms(
      await participate('open-thanks', { userId: 'u-422', context: { channel: 'app' } }, { key }),
    );
    const other = conforms(
      await participate('open-thanks', { userId: 'u-422', context: { channel: 'h5' } }, { key }),
    );
    expect(first.status).toBe(201);
    expect([other.status, code(other)]).toEqual([422, 'idempotency_mismatch']);
  });

  it('503: the profile source, the hot state or the ledger is down (nothing granted)', async () => {
    const profileDown = conforms(
      await participate('members-only', { userId: 'profile-down-1', context: { channel: 'app' } }),
    );
    expect(profileDown.body).toMatchObject({
      error: { code: 'dependency_unavailable', dependency: 'profile' },
    });
    expect(profileDown.headers['retry-after']).toBe('1');

    const noRedis = await createTestPocket(backends, {
      ...fixtureOverrides(),
      hotState: new RedisHotState('redis://127.0.0.1:1', { client: { connectTimeoutMs: 200 } }),
    });
    extra.push(noRedis);
    const hotDown = conforms(await participate('open-thanks', { userId: 'u-503' }, { app: noRedis.app }));
    expect(hotDown.body).toMatchObject({
      error: { code: 'dependency_unavailable', dependency: 'hot-state' },
    });
    const notReady = conforms(await request(noRedis.app).get('/readyz'), '/readyz', 'get');
    expect(notReady.status).toBe(503);

    const { pocket: noLedger, ledger } = await onOwnLedger();
    try {
      await ledger.db.destroy();
      const ledgerDown = conforms(
        await participate('open-thanks', { userId: 'u-503' }, { app: noLedger.app }),
      );
      expect(ledgerDown.body).toMatchObject({
        error: { code: 'dependency_unavailable', dependency: 'ledger' },
      });
      // Reads fail closed the same way: a ledger that is down is a 503, never a 500.
      const reads = [
        conforms(await request(noLedger.app).get('/v1/campaigns'), '/v1/campaigns', 'get'),
        conforms(await request(noLedger.app).get('/v1/campaigns/open-thanks'), '/v1/campaigns/{id}', 'get'),
        conforms(
          await request(noLedger.app).get('/v1/users/u-503/grants'),
          '/v1/users/{userId}/grants',
          'get',
        ),
      ];
      for (const read of reads) {
        expect([read.status, read.body]).toEqual([
          503,
          {
            error: { code: 'dependency_unavailable', message: 'ledger is unavailable', dependency: 'ledger' },
          },
        ]);
      }
    } finally {
      await noLedger.close();
      await ledger.destroy();
    }
    const grants = await request(pocket.app).get('/v1/users/u-503/grants');
    expect((grants.body as Json)['grants']).toEqual([]);
  });

  it('500: an unexpected error on any operation is internal_error, nothing more', async () => {
    const boom = conforms(await participate('open-thanks', { userId: 'boom-1' }));
    expect(boom.status).toBe(500);
    // A fresh app: the campaign view caches ledger usage for a second.
    const fresh = await createTestPocket(backends, fixtureOverrides());
    extra.push(fresh);
    jest.spyOn(KnexGrantStore.prototype, 'usage').mockRejectedValue(new Error('usage query failed'));
    jest.spyOn(KnexGrantStore.prototype, 'listByUser').mockRejectedValue(new Error('grants query failed'));
    try {
      const list = conforms(await request(fresh.app).get('/v1/campaigns'), '/v1/campaigns', 'get');
      const one = conforms(
        await request(fresh.app).get('/v1/campaigns/open-thanks'),
        '/v1/campaigns/{id}',
        'get',
      );
      const grants = conforms(
        await request(fresh.app).get('/v1/users/u-500/grants'),
        '/v1/users/{userId}/grants',
        'get',
      );
      for (const res of [boom, list, one, grants]) {
        expect([res.status, res.body]).toEqual([
          500,
          { error: { code: 'internal_error', message: 'internal error' } },
        ]);
      }
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('GET endpoints: campaigns, one campaign, a user’s grants, health, readiness and this document', async () => {
    const list = conforms(await request(pocket.app).get('/v1/campaigns'), '/v1/campaigns', 'get');
    expect(list.status).toBe(200);
    const one = conforms(
      await request(pocket.app).get('/v1/campaigns/last-coupon'),
      '/v1/campaigns/{id}',
      'get',
    );
    expect(one.status).toBe(200);
    for (const id of ['no-such-campaign', 'work-in-progress']) {
      const missing = conforms(
        await request(pocket.app).get(`/v1/campaigns/${id}`),
        '/v1/campaigns/{id}',
        'get',
      );
      expect([id, missing.status, code(missing)]).toEqual([id, 404, 'campaign_not_found']);
    }
    // An id no campaign can have is the client's mistake, as on every other campaign path: 400 with the field.
    for (const [id, message] of [
      ['Last-Coupon', 'must be a kebab-case campaign id'],
      [`c${'-x'.repeat(32)}`, 'must be at most 64 characters (a campaign id is kebab-case, 1-64 characters)'],
    ] as const) {
      const malformed = conforms(
        await request(pocket.app).get(`/v1/campaigns/${id}`),
        '/v1/campaigns/{id}',
        'get',
      );
      expect([malformed.status, code(malformed), (malformed.body as Json)['error']]).toEqual([
        400,
        'invalid_request',
        expect.objectContaining({ fields: [{ path: 'id', message }] }),
      ]);
    }
    const grants = conforms(
      await request(pocket.app).get('/v1/users/member-201/grants'),
      '/v1/users/{userId}/grants',
      'get',
    );
    expect(((grants.body as Json)['grants'] as unknown[]).length).toBe(1);
    const badLimit = conforms(
      await request(pocket.app).get('/v1/users/member-201/grants?limit=0'),
      '/v1/users/{userId}/grants',
      'get',
    );
    expect([badLimit.status, code(badLimit)]).toEqual([400, 'invalid_request']);
    const health = conforms(await request(pocket.app).get('/healthz'), '/healthz', 'get');
    const ready = conforms(await request(pocket.app).get('/readyz'), '/readyz', 'get');
    expect([health.status, ready.status]).toEqual([200, 200]);
    const served = conforms(await request(pocket.app).get('/openapi.json'), '/openapi.json', 'get');
    expect(served.body).toEqual(doc);
  });

  it('operations: /metrics (open, or behind METRICS_TOKEN) and the dashboard files', async () => {
    const metrics = conforms(await request(pocket.app).get('/metrics'), '/metrics', 'get');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('pocket_http_request_duration_seconds_bucket');
    const locked = await createTestPocket(backends, {
      ...fixtureOverrides(),
      config: { definitionsRoot: root, metricsToken: 'contract-metrics-token' },
    });
    extra.push(locked);
    const refused = conforms(await request(locked.app).get('/metrics'), '/metrics', 'get');
    expect([refused.status, code(refused), refused.headers['www-authenticate']]).toEqual([
      401,
      'unauthenticated',
      'Bearer realm="pocket"',
    ]);
    const twice = conforms(
      await withRepeatedHeader(request(locked.app).get('/metrics'), 'Authorization', [
        'Bearer contract-metrics-token',
        'Bearer contract-metrics-token',
      ]),
      '/metrics',
      'get',
    );
    expect([twice.status, code(twice)]).toEqual([400, 'invalid_request']);
    const page = conforms(await request(pocket.app).get('/dashboard'), '/dashboard', 'get');
    expect([page.status, page.text]).toEqual([200, expect.stringContaining('/dashboard/dashboard.js')]);
    const A = '/dashboard/{asset}';
    const assets = await Promise.all(
      ['dashboard.js', 'dashboard.css', 'secrets.json'].map(async (file) =>
        conforms(await request(pocket.app).get(`/dashboard/${file}`), A, 'get'),
      ),
    );
    expect(assets.map((a) => a.status)).toEqual([200, 200, 404]);
  });

  describe('/admin', () => {
    const bearer: Record<string, string> = {};
    const adminOps = (): Array<{ path: string; method: HttpMethod }> =>
      operations()
        .filter(({ path }) => path.startsWith('/admin/'))
        .map(({ path, method }) => ({ path, method: method as HttpMethod }));
    const concrete = (path: string, id = 'members-only'): string =>
      path.replace('{id}', id).replace('{tokenId}', '0123456789abcdef');
    /** `{ definition, rules }` of the active version, as the CLI sends it. */
    const published = (id: string): Json => {
      const snapshot = pocket.registry.get(id);
      if (!snapshot) throw new Error(`${id} is not active`);
      return JSON.parse(snapshot.compiled.resolved.canonical) as Json;
    };
    /** members-only with another coin stock (2 coins are granted by now: member-201 and member-twice). */
    const withStock = (stock: number): Json => {
      const campaign = published('members-only');
      const definition = campaign['definition'] as { rewards: Array<Json> };
      return { ...campaign, definition: { ...definition, rewards: [{ ...definition.rewards[0], stock }] } };
    };

    function call(
      method: HttpMethod,
      path: string,
      url: string,
      opts: { as?: string; body?: unknown; type?: string; app?: Pocket['app'] } = {},
    ): Promise<Response> {
      let req = request(opts.app ?? pocket.app)[method](url);
      if (opts.as !== undefined) req = req.set('Authorization', `Bearer ${bearer[opts.as] ?? opts.as}`);
      if (opts.type !== undefined) req = req.set('Content-Type', opts.type);
      return (opts.body === undefined ? req : req.send(opts.body as object)).then((res) =>
        conforms(res, path, method),
      );
    }

    beforeAll(async () => {
      for (const scope of ['publish', 'read', 'operate', 'participate'] as const) {
        bearer[scope] = (await pocket.tokens.create([scope], `contract-${scope}`)).token;
      }
    });

    it('401 without a valid admin token and 403 forbidden_scope without the scope, on every route', async () => {
      const seen: Array<[string, number, unknown, number, unknown]> = [];
      for (const { path, method } of adminOps()) {
        const none = await call(method, path, concrete(path), { body: method === 'get' ? undefined : {} });
        const wrong = await call(method, path, concrete(path), {
          as: 'participate',
          body: method === 'get' ? undefined : {},
        });
        seen.push([`${method} ${path}`, none.status, code(none), wrong.status, code(wrong)]);
      }
      expect(seen.length).toBe(12);
      expect(seen).toEqual(seen.map(([op]) => [op, 401, 'unauthenticated', 403, 'forbidden_scope']));
    });

    it('publish, versions, rollback, pause and resume answer as documented', async () => {
      const statuses: Array<[string, number]> = [];
      const expectStatus = (what: string, res: Response, status: number): Response => {
        statuses.push([what, res.status]);
        expect([what, res.status, res.status === status ? null : res.text]).toEqual([what, status, null]);
        return res;
      };
      const P = '/admin/publish';
      const CP = '/admin/campaigns/{id}/publish';
      const RB = '/admin/campaigns/{id}/rollback';
      const V = '/admin/campaigns/{id}/versions';
      const VA = '/admin/campaigns/{id}/versions/active';

      // Publish: unchanged, refused below use (409), forced (200 with a warning), a bad body, a bad definition.
      const same = expectStatus(
        'publish unchanged',
        await call('post', P, P, { as: 'publish', body: { campaigns: [published('open-thanks')] } }),
        200,
      );
      expect((same.body as { results: Json[] }).results).toEqual([
        expect.objectContaining({ status: 'unchanged' }),
      ]);
      const refused = expectStatus(
        'publish below use',
        await call('post', P, P, { as: 'publish', body: { campaigns: [withStock(1)] } }),
        409,
      );
      expect(errorOf(refused)).toMatchObject({
        code: 'activation_refused',
        refusals: [{ campaignId: 'members-only', code: 'stock_below_used' }],
      });
      const forced = expectStatus(
        'publish forced',
        await call('post', P, P, {
          as: 'publish',
          body: { campaigns: [withStock(1)], force: true, note: 'cut' },
        }),
        200,
      );
      expect((forced.body as { results: Json[] }).results).toEqual([
        expect.objectContaining({
          status: 'published',
          version: 2,
          previous: 1,
          warnings: [expect.objectContaining({ code: 'stock_below_used' })],
        }),
      ]);
      expectStatus(
        'publish nothing',
        await call('post', P, P, { as: 'publish', body: { campaigns: [] } }),
        400,
      );
      const invalid = expectStatus(
        'publish invalid',
        await call('post', P, P, {
          as: 'publish',
          body: { campaigns: [{ definition: { id: 'x' }, rules: {} }] },
        }),
        400,
      );
      expect(code(invalid)).toBe('invalid_definition');
      expectStatus(
        'publish 1 MB',
        await call('post', P, P, { as: 'publish', body: { campaigns: [], note: 'x'.repeat(1_100_000) } }),
        413,
      );
      expectStatus(
        'publish text',
        await call('post', P, P, { as: 'publish', type: 'text/plain', body: 'campaigns' }),
        415,
      );

      // One campaign by path: v3 raises the stock (v1's stock would reactivate v1); another campaign's
      // body is a 400; a cut below use is a 409.
      const members = concrete(CP);
      expectStatus(
        'campaign publish',
        await call('post', CP, members, { as: 'publish', body: { campaign: withStock(2000) } }),
        200,
      );
      expectStatus(
        'campaign publish mismatch',
        await call('post', CP, members, { as: 'publish', body: { campaign: published('open-thanks') } }),
        400,
      );
      expectStatus(
        'campaign publish below use',
        await call('post', CP, members, { as: 'publish', body: { campaign: withStock(1) } }),
        409,
      );
      expectStatus(
        'campaign publish 1 MB',
        await call('post', CP, members, {
          as: 'publish',
          body: { campaign: {}, note: 'x'.repeat(1_100_000) },
        }),
        413,
      );
      expectStatus(
        'campaign publish text',
        await call('post', CP, members, { as: 'publish', type: 'text/plain', body: 'campaign' }),
        415,
      );

      // Versions.
      const history = expectStatus('versions', await call('get', V, concrete(V), { as: 'read' }), 200);
      expect(history.body).toMatchObject({ campaignId: 'members-only', activeVersion: 3, paused: false });
      expectStatus('versions bad id', await call('get', V, concrete(V, 'Bad_Id'), { as: 'read' }), 400);
      expectStatus(
        'versions unknown',
        await call('get', V, concrete(V, 'never-published'), { as: 'read' }),
        404,
      );
      const active = expectStatus('active', await call('get', VA, concrete(VA), { as: 'read' }), 200);
      expect(active.body).toMatchObject({ campaignId: 'members-only', version: 3, active: true });
      expectStatus('active bad id', await call('get', VA, concrete(VA, 'Bad_Id'), { as: 'read' }), 400);
      expectStatus(
        'active unknown',
        await call('get', VA, concrete(VA, 'never-published'), { as: 'read' }),
        404,
      );

      // Rollback: to v2 cuts the stock below use (409); to v1 is fine; bad bodies, unknown versions.
      const rb = concrete(RB);
      expectStatus('rollback below use', await call('post', RB, rb, { as: 'publish', body: { to: 2 } }), 409);
      const back = expectStatus(
        'rollback',
        await call('post', RB, rb, { as: 'publish', body: { to: 1, note: 'back' } }),
        200,
      );
      expect(back.body).toMatchObject({
        action: 'rollback',
        changed: true,
        activeVersion: 1,
        previousVersion: 3,
      });
      expectStatus('rollback without to', await call('post', RB, rb, { as: 'publish', body: {} }), 400);
      expectStatus(
        'rollback unknown version',
        await call('post', RB, rb, { as: 'publish', body: { to: 99 } }),
        404,
      );
      expectStatus(
        'rollback 1 MB',
        await call('post', RB, rb, { as: 'publish', body: { to: 1, note: 'x'.repeat(1_100_000) } }),
        413,
      );
      expectStatus(
        'rollback text',
        await call('post', RB, rb, { as: 'publish', type: 'text/plain', body: 'to=1' }),
        415,
      );

      // Pause and resume.
      for (const action of ['pause', 'resume']) {
        const path = `/admin/campaigns/{id}/${action}`;
        const url = concrete(path, 'open-thanks');
        const done = expectStatus(
          action,
          await call('post', path, url, { as: 'operate', body: { note: 'contract' } }),
          200,
        );
        expect(done.body).toMatchObject({ action, changed: true, paused: action === 'pause' });
        expectStatus(`${action} without body`, await call('post', path, url, { as: 'operate' }), 200);
        expectStatus(
          `${action} bad note`,
          await call('post', path, url, { as: 'operate', body: { note: 5 } }),
          400,
        );
        expectStatus(
          `${action} unknown`,
          await call('post', path, concrete(path, 'never-published'), { as: 'operate', body: {} }),
          404,
        );
        expectStatus(
          `${action} 1 MB`,
          await call('post', path, url, { as: 'operate', body: { note: 'x'.repeat(1_100_000) } }),
          413,
        );
        expectStatus(
          `${action} text`,
          await call('post', path, url, { as: 'operate', type: 'text/plain', body: 'note' }),
          415,
        );
      }
      expect(statuses.length).toBe(36);
    });

    it('audit and tokens answer as documented', async () => {
      const audit = await call('get', '/admin/audit', '/admin/audit?campaign=members-only&limit=50', {
        as: 'read',
      });
      expect(audit.status).toBe(200);
      const actions = (audit.body as { entries: Json[] }).entries.map((e) => e['action']);
      expect(actions).toEqual(expect.arrayContaining(['publish', 'rollback']));
      const badLimit = await call('get', '/admin/audit', '/admin/audit?limit=0', { as: 'read' });
      expect([badLimit.status, code(badLimit)]).toEqual([400, 'invalid_request']);
      const never = await call('get', '/admin/audit', '/admin/audit?campaign=never-published', {
        as: 'read',
      });
      expect([never.status, code(never)]).toEqual([404, 'campaign_not_found']);

      const tokens = await call('get', '/admin/tokens', '/admin/tokens', { as: 'read' });
      expect(tokens.status).toBe(200);
      expect(tokens.text).not.toContain(bearer['read']);
      const throwaway = await pocket.tokens.create(['read'], 'throwaway');
      const D = '/admin/tokens/{tokenId}';
      const revoked = await call('delete', D, `/admin/tokens/${throwaway.summary.id}`, { as: 'operate' });
      const again = await call('delete', D, `/admin/tokens/${throwaway.summary.id}`, { as: 'operate' });
      expect([revoked.status, again.status, code(again)]).toEqual([204, 404, 'token_not_found']);
      const badPath = await call('delete', D, '/admin/tokens/%ZZ', { as: 'operate' });
      expect([badPath.status, errorOf(badPath)['fields']]).toEqual([
        400,
        [{ path: '(path)', message: 'holds a malformed percent-encoding' }],
      ]);
    });

    it('the campaign report answers as documented', async () => {
      const R = '/admin/campaigns/{id}/report';
      const report = await call(
        'get',
        R,
        `${concrete(R)}?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z`,
        {
          as: 'read',
        },
      );
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ campaignId: 'members-only', funnel: { granted: 2 } });
      const badTime = await call('get', R, `${concrete(R)}?from=soon`, { as: 'read' });
      const badId = await call('get', R, concrete(R, 'Bad_Id'), { as: 'read' });
      const unknown = await call('get', R, concrete(R, 'never-published'), { as: 'read' });
      expect([badTime.status, badId.status, unknown.status, code(unknown)]).toEqual([
        400,
        400,
        404,
        'campaign_not_found',
      ]);
    });

    it("a campaign's grants answer as documented, a page at a time", async () => {
      const G = '/admin/campaigns/{id}/grants';
      const first = await call('get', G, `${concrete(G)}?limit=1&status=pending`, { as: 'read' });
      expect(first.status).toBe(200);
      const page = first.body as { grants: Json[]; nextCursor: string | null };
      expect(page.grants).toHaveLength(1);
      // A pending grant was handed to no issuer yet: `issuer` is there (the schema requires it), null.
      expect(page.grants[0]).toMatchObject({ status: 'pending', issuer: null });
      expect(page.nextCursor).toEqual(expect.any(String));
      const next = await call('get', G, `${concrete(G)}?limit=1&status=pending&after=${page.nextCursor}`, {
        as: 'read',
      });
      expect(next.status).toBe(200);
      const bad = await call('get', G, `${concrete(G)}?limit=0&after=nope!&from=soon`, { as: 'read' });
      expect([bad.status, (errorOf(bad)['fields'] as Json[]).map((f) => f['path'])]).toEqual([
        400,
        ['from', 'limit', 'after'],
      ]);
      const unknown = await call('get', G, concrete(G, 'never-published'), { as: 'read' });
      expect([unknown.status, code(unknown)]).toEqual([404, 'campaign_not_found']);
    });

    it('request bodies are as closed as the service: an unknown field fails the schema and is a 400', async () => {
      const bodies: Record<string, Json> = {
        '/admin/publish': { campaigns: [published('open-thanks')] },
        '/admin/campaigns/{id}/publish': { campaign: published('members-only') },
        '/admin/campaigns/{id}/rollback': { to: 1 },
        '/admin/campaigns/{id}/pause': {},
        '/admin/campaigns/{id}/resume': {},
      };
      const seen: Array<[string, boolean, boolean, number, unknown]> = [];
      for (const [path, body] of Object.entries(bodies)) {
        const schema = contract.validator(
          pointer('paths', path, 'post', 'requestBody', 'content', 'application/json', 'schema'),
        );
        const scope = path.endsWith('pause') || path.endsWith('resume') ? 'operate' : 'publish';
        const res = await call('post', path, concrete(path), {
          as: scope,
          body: { ...body, reason: 'typo' },
        });
        seen.push([
          path,
          schema(body),
          schema({ ...body, reason: 'typo' }),
          res.status,
          errorOf(res)['fields'],
        ]);
      }
      expect(seen).toEqual(
        seen.map(([path]) => [path, true, false, 400, [expect.objectContaining({ path: 'reason' })]]),
      );
    });

    it('503 dependency_unavailable with Retry-After on every route while the ledger is down', async () => {
      const { pocket: noLedger, ledger } = await onOwnLedger();
      try {
        const { token } = await noLedger.tokens.create(['publish', 'read', 'operate'], 'contract-down');
        await ledger.db.destroy();
        const seen: Array<[string, number, unknown, unknown]> = [];
        for (const { path, method } of adminOps()) {
          const res = await call(method, path, concrete(path), {
            app: noLedger.app,
            as: token,
            body: method === 'post' ? {} : undefined,
          });
          seen.push([`${method} ${path}`, res.status, code(res), res.headers['retry-after']]);
        }
        expect(seen).toEqual(seen.map(([op]) => [op, 503, 'dependency_unavailable', '1']));
      } finally {
        await noLedger.close();
        await ledger.destroy();
      }
    });

    it('500 internal_error when the lifecycle or the token store fails unexpectedly', async () => {
      const failing = new Error('lifecycle exploded: password=hunter2');
      for (const method of [
        'publish',
        'versions',
        'activeVersion',
        'rollback',
        'pause',
        'resume',
        'audit',
      ] as const) {
        jest.spyOn(LedgerLifecycle.prototype, method).mockRejectedValue(failing);
      }
      jest.spyOn(TokenService.prototype, 'list').mockRejectedValue(failing);
      jest.spyOn(ReportService.prototype, 'report').mockRejectedValue(failing);
      jest.spyOn(CampaignGrantsService.prototype, 'page').mockRejectedValue(failing);
      jest.spyOn(TokenService.prototype, 'revoke').mockRejectedValue(failing);
      const token: Record<string, string> = { get: 'read', delete: 'operate' };
      const bodies: Record<string, unknown> = {
        '/admin/publish': { campaigns: [published('open-thanks')] },
        '/admin/campaigns/{id}/publish': { campaign: published('members-only') },
        '/admin/campaigns/{id}/rollback': { to: 1 },
      };
      try {
        const seen: Array<[string, number, unknown]> = [];
        for (const { path, method } of adminOps()) {
          const scope =
            token[method] ?? (path.endsWith('pause') || path.endsWith('resume') ? 'operate' : 'publish');
          const res = await call(method, path, concrete(path), {
            as: scope,
            body: bodies[path] ?? (method === 'post' ? {} : undefined),
          });
          seen.push([`${method} ${path}`, res.status, res.body]);
        }
        expect(seen).toEqual(
          seen.map(([op]) => [op, 500, { error: { code: 'internal_error', message: 'internal error' } }]),
        );
      } finally {
        jest.restoreAllMocks();
      }
    });
  });

  // Last (describe blocks run in order): every documented answer was seen above.
  describe('coverage', () => {
    it('exercised every answer openapi.json documents', () => {
      const missing = live.documented().filter((answer) => !live.covered().includes(answer));
      expect(missing).toEqual([]);
    });
  });
});
