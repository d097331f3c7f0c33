import request from 'supertest';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import { withRepeatedHeader } from '../../helpers/repeated-header';

describeEachBackend('admin auth under /admin', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    backends = await createBackends(backend);
    // No token cache: a revocation is visible on the next request (the cache itself is unit-tested).
    pocket = await createTestPocket(backends, { protection: { tokenCacheTtlMs: 0 } });
    token['read'] = (await pocket.tokens.create(['read'], 'dashboard')).token;
    token['operate'] = (await pocket.tokens.create(['operate'])).token;
    token['publish'] = (await pocket.tokens.create(['publish', 'read'], 'ci')).token;
    token['participate'] = (await pocket.tokens.create(['participate'], 'gateway')).token;
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
  });

  const get = (path: string, bearer?: string) => {
    const req = request(pocket.app).get(path);
    return bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`);
  };

  it('answers 401 unauthenticated without a token, on every path under /admin', async () => {
    for (const path of ['/admin/tokens', '/admin/no-such-route', '/admin']) {
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
  });

  it('checks the token before parsing a body: no parser work or opinion for a caller without one', async () => {
    const post = (body: string, bearer?: string) => {
      const req = request(pocket.app).post('/admin/publish').set('Content-Type', 'application/json');
      return (bearer === undefined ? req : req.set('Authorization', `Bearer ${bearer}`)).send(body);
    };
    // Express matches the /admin mount in any letter case: so does the parser bypass.
    const upper = await request(pocket.app)
      .post('/ADMIN/publish')
      .set('Content-Type', 'application/json')
      .send('{bad');
    expect([upper.status, upper.body.error.code]).toEqual([401, 'unauthenticated']);
    const big = JSON.stringify({ pad: 'x'.repeat(900 * 1024) });
    for (const body of ['{bad', '{"__proto__":1}', big]) {
      const res = await post(body);
      expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
    }
    const bad = await post('{bad', token['publish']);
    expect([bad.status, bad.body.error.message]).toEqual([400, 'request body is not valid JSON']);
    const array = await post('[]', token['publish']);
    expect([array.status, array.body.error.message]).toEqual([400, 'request body must be a JSON object']);
  });

  it('checks the route scope before the body: 403, never 413, 415 or 400, for a token without it', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      request(pocket.app)
        .post(path)
        .set('Content-Type', type)
        .set('Authorization', `Bearer ${token['read'] ?? ''}`)
        .send(body);
    const big = JSON.stringify({ pad: 'x'.repeat(1100 * 1024) });
    const paths = ['/admin/publish', '/admin/campaigns/x/publish', '/admin/campaigns/x/pause'];
    for (const path of paths) {
      for (const [body, type] of [
        ['{bad'],
        ['{"__proto__":1}'],
        ['[]'],
        [big],
        ['campaigns', 'text/plain'],
      ]) {
        const res = await post(path, body ?? '', type);
        expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'forbidden_scope']);
      }
    }
    // With the scope, the body is read as before.
    const operate = await request(pocket.app)
      .post('/admin/campaigns/x/pause')
      .set('Content-Type', 'application/json')
      .set('Authorization', `Bearer ${token['operate'] ?? ''}`)
      .send(big);
    expect([operate.status, operate.body.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('answers 401 for a malformed, unknown or forged token, and for a non-Bearer scheme', async () => {
    const forged = `${token['read']?.slice(0, -4) ?? ''}AAAA`;
    for (const bearer of ['garbage', 'pk_0123456789abcdef_' + 'A'.repeat(43), forged]) {
      const res = await get('/admin/tokens', bearer);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    const basic = await request(pocket.app).get('/admin/tokens').set('Authorization', 'Basic dTpw');
    expect(basic.status).toBe(401);
  });

  it('answers 400 naming Authorization for two Authorization headers, even two valid tokens', async () => {
    for (const both of [
      [`Bearer ${token['read'] ?? ''}`, 'Bearer garbage'],
      ['Bearer garbage', `Bearer ${token['read'] ?? ''}`],
      [`Bearer ${token['read'] ?? ''}`, `Bearer ${token['publish'] ?? ''}`],
    ]) {
      const res = await withRepeatedHeader(request(pocket.app).get('/admin/tokens'), 'Authorization', both);
      expect([res.status, res.body.error.code, res.body.error.fields?.[0]?.path]).toEqual([
        400,
        'invalid_request',
        'Authorization',
      ]);
    }
  });

  it('answers 403 forbidden_scope for a valid token without the route scope', async () => {
    for (const scope of ['participate', 'operate']) {
      const res = await get('/admin/tokens', token[scope]);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden_scope');
    }
  });

  it('lists tokens for a read token, without secrets or hashes', async () => {
    const res = await get('/admin/tokens', token['publish']);
    expect(res.status).toBe(200);
    const listed = res.body.tokens as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(4);
    expect(listed.map((t) => t['name']).sort()).toEqual(['ci', 'dashboard', 'gateway', null].sort());
    for (const t of listed)
      expect(Object.keys(t).sort()).toEqual(['createdAt', 'id', 'name', 'revokedAt', 'scopes']);
    for (const secret of Object.values(token)) expect(res.text).not.toContain(secret.slice(-43));
    expect(res.text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('revokes with an operate token only; the revoked token is refused, and the list says so', async () => {
    const victim = await pocket.tokens.create(['read'], 'to-revoke');
    const denied = await request(pocket.app)
      .delete(`/admin/tokens/${victim.summary.id}`)
      .set('Authorization', `Bearer ${token['read'] ?? ''}`);
    expect(denied.status).toBe(403);
    const revoked = await request(pocket.app)
      .delete(`/admin/tokens/${victim.summary.id}`)
      .set('Authorization', `Bearer ${token['operate'] ?? ''}`);
    expect(revoked.status).toBe(204);
    const again = await request(pocket.app)
      .delete(`/admin/tokens/${victim.summary.id}`)
      .set('Authorization', `Bearer ${token['operate'] ?? ''}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('token_not_found');
    const refused = await get('/admin/tokens', victim.token);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
    const listed = await get('/admin/tokens', token['read']);
    const row = (listed.body.tokens as Array<Record<string, unknown>>).find(
      (t) => t['id'] === victim.summary.id,
    );
    expect(row?.['revokedAt']).toEqual(expect.any(String));
  });
});
