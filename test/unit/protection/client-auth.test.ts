import { Router } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createApp } from '../../../src/http/app';
import { silentLogger } from '../../../src/observability/logger';
import { clientAuthRouter } from '../../../src/protection/client-auth-router';
import type { TokenVerifier, VerifiedToken } from '../../../src/protection/token-verifier';

const SECRET = 'user-token-secret-of-at-least-32-chars!!';
const GATEWAY = `pk_${'a'.repeat(16)}_${'G'.repeat(43)}`;
const ADMIN = `pk_${'b'.repeat(16)}_${'R'.repeat(43)}`;

const verifier: TokenVerifier = {
  verify: (token) => {
    const known: Record<string, VerifiedToken> = {
      [GATEWAY]: { id: 'a'.repeat(16), scopes: ['participate'] },
      [ADMIN]: { id: 'b'.repeat(16), scopes: ['read'] },
    };
    return Promise.resolve(known[token] ?? null);
  },
};

function app(required: boolean) {
  const echo = Router();
  // As the pipeline does at its client-auth step: a participation's refusal is deferred to it, then answered.
  echo.post('/v1/campaigns/:id/participations', (_req, res) => {
    const refusal = res.locals['clientRefusal'] as Error | undefined;
    if (refusal) throw refusal;
    res.json({ client: res.locals['client'] as unknown });
  });
  echo.get('/v1/users/:userId/grants', (_req, res) => {
    res.json({ client: res.locals['client'] as unknown });
  });
  return createApp({
    logger: silentLogger(),
    health: { ready: () => true },
    routers: [clientAuthRouter({ verifier, userTokenSecret: SECRET, required }), echo],
  });
}

const userToken = (sub: string, options: jwt.SignOptions = { expiresIn: '10m' }, secret = SECRET) =>
  jwt.sign({ sub }, secret, { algorithm: 'HS256', ...options });

const participate = (a: ReturnType<typeof app>, auth: string | undefined, userId = 'u-1') => {
  const req = request(a).post('/v1/campaigns/sale/participations').send({ userId });
  return auth === undefined ? req : req.set('Authorization', auth);
};

describe('client identity', () => {
  const open = app(false);
  const strict = app(true);

  it('a gateway token (scope participate) may act for any user', async () => {
    for (const userId of ['u-1', 'someone-else']) {
      const res = await participate(open, `Bearer ${GATEWAY}`, userId);
      expect(res.status).toBe(200);
      expect(res.body.client).toEqual({ kind: 'gateway', id: 'a'.repeat(16) });
    }
  });

  it('an API token without scope participate is 403 forbidden_scope', async () => {
    const res = await participate(open, `Bearer ${ADMIN}`);
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden_scope']);
  });

  it('a user JWT acts for its own user only: 403 user_mismatch for another', async () => {
    const own = await participate(open, `Bearer ${userToken('u-1')}`);
    expect(own.status).toBe(200);
    expect(own.body.client).toEqual({ kind: 'user', id: 'u-1' });
    const other = await participate(open, `Bearer ${userToken('u-1')}`, 'u-2');
    expect([other.status, other.body.error.code]).toEqual([403, 'user_mismatch']);
  });

  it.each([
    [
      'a wrong secret',
      () => userToken('u-1', { expiresIn: '10m' }, 'another-secret-of-at-least-32-characters'),
    ],
    ['an expired token', () => userToken('u-1', { expiresIn: -60 })],
    ['no exp', () => userToken('u-1', {})],
    [
      'alg none',
      () =>
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"u-1","exp":9999999999}').toString('base64url')}.`,
    ],
    ['HS512', () => userToken('u-1', { algorithm: 'HS512', expiresIn: '10m' })],
    ['a sub that is not a user id', () => userToken('bad user', { expiresIn: '10m' })],
    // Valid for longer than USER_TOKEN_MAX_LIFETIME_S (7 days): as risky once leaked as no expiry at all.
    ['an exp eight days ahead', () => userToken('u-1', { expiresIn: '8d' })],
    // RFC 7515: a critical extension the recipient does not understand must be refused.
    [
      'a crit header',
      () => userToken('u-1', { expiresIn: '10m', header: { alg: 'HS256', crit: ['x'] } as jwt.JwtHeader }),
    ],
    ['an unknown API token', () => `pk_${'c'.repeat(16)}_${'X'.repeat(43)}`],
    ['garbage', () => 'garbage'],
  ])('%s is 401 unauthenticated', async (_what, token) => {
    const res = await participate(open, `Bearer ${token()}`);
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });

  it('a user token valid for up to 7 days is accepted', async () => {
    const res = await participate(open, `Bearer ${userToken('u-1', { expiresIn: '6d' })}`);
    expect(res.status).not.toBe(401);
  });

  it('a malformed Authorization header is 401, not anonymous', async () => {
    for (const header of ['Basic dTpw', 'Bearer', 'Bearer a b']) {
      const res = await participate(open, header);
      expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
    }
  });

  it('anonymous calls pass outside production and are 401 when client auth is required', async () => {
    const anon = await participate(open, undefined);
    expect(anon.body.client).toEqual({ kind: 'anonymous', id: null });
    const refused = await participate(strict, undefined);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
    const grants = await request(strict).get('/v1/users/u-1/grants');
    expect(grants.status).toBe(401);
    expect((await participate(strict, `Bearer ${GATEWAY}`)).status).toBe(200);
  });

  it('GET /v1/users/{userId}/grants follows the same rules', async () => {
    const own = await request(open)
      .get('/v1/users/u-1/grants')
      .set('Authorization', `Bearer ${userToken('u-1')}`);
    expect(own.status).toBe(200);
    const other = await request(open)
      .get('/v1/users/u-2/grants')
      .set('Authorization', `Bearer ${userToken('u-1')}`);
    expect([other.status, other.body.error.code]).toEqual([403, 'user_mismatch']);
    const gateway = await request(open).get('/v1/users/u-2/grants').set('Authorization', `Bearer ${GATEWAY}`);
    expect(gateway.body.client.kind).toBe('gateway');
  });
});
