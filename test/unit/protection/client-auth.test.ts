import { createHmac } from 'node:crypto';
import { Router } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createApp } from '../../../src/http/app';
import { silentLogger } from '../../../src/observability/logger';
import type { UserTokenClaims } from '../../../src/config';
import { USER_TOKEN_MAX_LIFETIME_S, verifyUserToken } from '../../../src/protection/client-auth';
import { clientAuthRouter } from '../../../src/protection/client-auth-router';
import type { TokenVerifier, VerifiedToken } from '../../../src/protection/token-verifier';
import { withRepeatedHeader } from '../../helpers/repeated-header';

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

function app(required: boolean, userTokenClaims?: UserTokenClaims) {
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
    routers: [
      clientAuthRouter({
        verifier,
        userTokenSecrets: [SECRET],
        required,
        ...(userTokenClaims ? { userTokenClaims } : {}),
      }),
      echo,
    ],
  });
}

const userToken = (sub: string, options: jwt.SignOptions = { expiresIn: '10m' }, secret = SECRET) =>
  jwt.sign({ sub }, secret, { algorithm: 'HS256', ...options });

/** An HS256 token with any claims, even those jsonwebtoken's sign() refuses to write. */
const signedAsIs = (claims: object): string => {
  const part = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
};

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
      'its signature does not verify with the user token secret',
    ],
    ['an expired token', () => userToken('u-1', { expiresIn: -60 }), 'it has expired (exp)'],
    [
      'a token not valid yet',
      () => userToken('u-1', { expiresIn: '10m', notBefore: 60 }),
      'it is not valid yet (nbf)',
    ],
    ['no exp', () => userToken('u-1', {}), 'it has no exp (an expiry at most 7 days ahead is required)'],
    [
      'alg none',
      () =>
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"u-1","exp":9999999999}').toString('base64url')}.`,
      'it must be signed with HS256 (alg)',
    ],
    [
      'HS512',
      () => userToken('u-1', { algorithm: 'HS512', expiresIn: '10m' }),
      'it must be signed with HS256 (alg)',
    ],
    [
      'a sub that is not a user id',
      () => userToken('bad user', { expiresIn: '10m' }),
      'its sub must be a user id: 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone',
    ],
    // Valid for longer than USER_TOKEN_MAX_LIFETIME_S (7 days): as risky once leaked as no expiry at all.
    [
      'an exp eight days ahead',
      () => userToken('u-1', { expiresIn: '8d' }),
      'its exp is more than 7 days ahead',
    ],
    // Issued tomorrow: forged, or from an issuer whose clock is wrong.
    [
      'an iat a day ahead',
      () => jwt.sign({ sub: 'u-1', iat: Math.floor(Date.now() / 1000) + 86400 }, SECRET, { expiresIn: '1h' }),
      'it was issued in the future (iat)',
    ],
    [
      'an iat that is not a number',
      () => signedAsIs({ sub: 'u-1', iat: 'now', exp: Math.floor(Date.now() / 1000) + 600 }),
      'its iat must be a number of seconds',
    ],
    // RFC 7515: a critical extension the recipient does not understand must be refused.
    [
      'a crit header',
      () => userToken('u-1', { expiresIn: '10m', header: { alg: 'HS256', crit: ['x'] } as jwt.JwtHeader }),
      'it has a crit header, whose extensions pocket does not understand',
    ],
    ['garbage', () => 'garbage', 'it is not a valid JWT'],
  ])('%s is 401 unauthenticated, saying why', async (_what, token, why) => {
    const res = await participate(open, `Bearer ${token()}`);
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
      401,
      'unauthenticated',
      `invalid user token: ${why}`,
    ]);
  });

  it('an unknown API token is 401 unauthenticated', async () => {
    const res = await participate(open, `Bearer pk_${'c'.repeat(16)}_${'X'.repeat(43)}`);
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });

  it('a user token valid for up to 7 days is accepted', async () => {
    const res = await participate(open, `Bearer ${userToken('u-1', { expiresIn: '6d' })}`);
    expect(res.status).not.toBe(401);
  });

  it('the 7-day cap allows the same clock skew as exp and nbf (5 s)', () => {
    const nowS = 1_800_000_000;
    // An issuer whose clock runs 2 s ahead mints a 7-day token: its exp is 2 s past pocket's 7 days.
    const ahead = (skewS: number) =>
      jwt.sign({ sub: 'u-1', exp: nowS + USER_TOKEN_MAX_LIFETIME_S + skewS }, SECRET, { algorithm: 'HS256' });
    expect(verifyUserToken(ahead(2), SECRET, undefined, nowS * 1000)).toEqual({ sub: 'u-1' });
    expect(verifyUserToken(ahead(5), SECRET, undefined, nowS * 1000)).toEqual({ sub: 'u-1' });
    expect(verifyUserToken(ahead(6), SECRET, undefined, nowS * 1000)).toHaveProperty('refused');
  });

  it('an iat ahead of pocket is allowed the same clock skew as exp and nbf (5 s)', () => {
    const nowS = 1_800_000_000;
    const issued = (skewS: number) =>
      jwt.sign({ sub: 'u-1', iat: nowS + skewS, exp: nowS + 600 }, SECRET, { algorithm: 'HS256' });
    expect(verifyUserToken(issued(5), SECRET, undefined, nowS * 1000)).toEqual({ sub: 'u-1' });
    expect(verifyUserToken(issued(6), SECRET, undefined, nowS * 1000)).toEqual({
      refused: 'invalid user token: it was issued in the future (iat)',
    });
  });

  it('accepts a token signed with any of the secrets given (rotation: current, then previous), held to the same checks', () => {
    const previous = 'the-previous-user-token-secret-32-chars!';
    const nowS = 1_800_000_000;
    const token = (exp: number, secret = previous) =>
      jwt.sign({ sub: 'u-1', exp }, secret, { algorithm: 'HS256' });
    const verify = (t: string, secrets: string[]) => verifyUserToken(t, secrets, undefined, nowS * 1000);
    expect(verify(token(nowS + 600), [SECRET, previous])).toEqual({ sub: 'u-1' });
    expect(verify(token(nowS + 600, SECRET), [SECRET, previous])).toEqual({ sub: 'u-1' });
    expect(verify(token(nowS + 600), [SECRET])).toEqual({
      refused: 'invalid user token: its signature does not verify with the user token secret',
    });
    expect(verify(token(nowS - 60), [SECRET, previous])).toEqual({
      refused: 'invalid user token: it has expired (exp)',
    });
  });

  it('two Authorization headers are a 400 naming the header, whichever comes first', async () => {
    const user = `Bearer ${userToken('u-1')}`;
    for (const both of [
      [user, `Bearer ${GATEWAY}`],
      [`Bearer ${GATEWAY}`, user],
      [user, user],
    ]) {
      for (const res of [
        await withRepeatedHeader(participate(strict, undefined), 'Authorization', both),
        await withRepeatedHeader(request(strict).get('/v1/users/u-1/grants'), 'Authorization', both),
      ]) {
        expect([res.status, res.body.error.code, res.body.error.fields]).toEqual([
          400,
          'invalid_request',
          [
            {
              path: 'Authorization',
              message: 'must be sent once: with two, which credential is meant is unclear',
            },
          ],
        ]);
      }
    }
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

describe('user token audience and issuer (USER_TOKEN_AUDIENCE, USER_TOKEN_ISSUER)', () => {
  const AUD = 'the user token is not for this service: its aud is not one pocket accepts';
  const ISS = 'the user token is not from an issuer pocket accepts (iss)';
  const token = (claims: jwt.SignOptions) => userToken('u-1', { expiresIn: '10m', ...claims });
  const answer = async (a: ReturnType<typeof app>, auth: string) => {
    const res = await participate(a, `Bearer ${auth}`);
    if (res.status !== 401) return [res.status, res.body.client];
    return [res.status, res.body.error.code, res.body.error.message, res.headers['www-authenticate']];
  };
  const refused = (message: string) => [
    401,
    'unauthenticated',
    message,
    'Bearer realm="pocket", error="invalid_token"',
  ];
  const accepted = [200, { kind: 'user', id: 'u-1' }];

  it('unset: any aud and iss, or none, is accepted as before', async () => {
    const any = app(false, { audience: [], issuer: [] });
    for (const claims of [{}, { audience: 'another-app', issuer: 'someone' }]) {
      expect(await answer(any, token(claims))).toEqual(accepted);
      expect(await answer(app(false), token(claims))).toEqual(accepted);
    }
  });

  it('a token for another app, or for none, is 401 with the invalid_token challenge', async () => {
    const checked = app(false, { audience: ['pocket-api'], issuer: [] });
    expect(await answer(checked, token({ audience: 'pocket-api' }))).toEqual(accepted);
    // aud may be a list: one item this service accepts is enough.
    expect(await answer(checked, token({ audience: ['another-app', 'pocket-api'] }))).toEqual(accepted);
    expect(await answer(checked, token({ audience: 'another-app' }))).toEqual(refused(AUD));
    expect(await answer(checked, token({}))).toEqual(refused(AUD));
    // Exact match only: neither case nor a prefix is read as the same audience.
    expect(await answer(checked, token({ audience: 'POCKET-API' }))).toEqual(refused(AUD));
    expect(await answer(checked, token({ audience: 'pocket-api-staging' }))).toEqual(refused(AUD));
  });

  it('accepts any audience of the list', async () => {
    const checked = app(false, { audience: ['pocket-api', 'pocket-h5'], issuer: [] });
    expect(await answer(checked, token({ audience: 'pocket-api' }))).toEqual(accepted);
    expect(await answer(checked, token({ audience: 'pocket-h5' }))).toEqual(accepted);
    expect(await answer(checked, token({ audience: 'pocket-admin' }))).toEqual(refused(AUD));
  });

  it('a token from another issuer, or naming none, is 401 with the invalid_token challenge', async () => {
    const checked = app(false, { audience: [], issuer: ['https://id.example.com', 'id-legacy'] });
    expect(await answer(checked, token({ issuer: 'https://id.example.com' }))).toEqual(accepted);
    expect(await answer(checked, token({ issuer: 'id-legacy' }))).toEqual(accepted);
    expect(await answer(checked, token({ issuer: 'https://id.example.org' }))).toEqual(refused(ISS));
    expect(await answer(checked, token({}))).toEqual(refused(ISS));
  });

  it('both set: both must match, and the other checks still apply', async () => {
    const checked = app(false, { audience: ['pocket-api'], issuer: ['id.example.com'] });
    const right = { audience: 'pocket-api', issuer: 'id.example.com' };
    expect(await answer(checked, token(right))).toEqual(accepted);
    expect(await answer(checked, token({ ...right, audience: 'shop-app' }))).toEqual(refused(AUD));
    expect(await answer(checked, token({ ...right, issuer: 'id.example.org' }))).toEqual(refused(ISS));
    expect(await answer(checked, userToken('u-1', { ...right, expiresIn: -60 }))).toEqual(
      refused('invalid user token: it has expired (exp)'),
    );
    const grants = await request(checked)
      .get('/v1/users/u-1/grants')
      .set('Authorization', `Bearer ${token({ ...right, audience: 'shop-app' })}`);
    expect([grants.status, grants.body.error.message]).toEqual([401, AUD]);
  });
});
