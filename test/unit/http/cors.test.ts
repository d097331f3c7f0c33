/**
 * CORS (CORS_ORIGINS): a browser page on a listed origin may call the client API (/v1/…) and read the headers a
 * client acts on; other origins, and every path outside /v1, get no CORS header.
 */
import { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/http/app';
import { RateLimitedError } from '../../../src/errors/app-error';

const H5 = 'https://h5.example.com';

function service(corsOrigins: string[]): ReturnType<typeof createApp> {
  const router = Router();
  router.post('/v1/campaigns/:id/participations', () => {
    throw new RateLimitedError(3);
  });
  router.get('/v1/campaigns', (_req, res) => {
    res.json({ campaigns: [] });
  });
  return createApp({
    logger: pino({ level: 'silent' }),
    routers: [router],
    health: { ready: () => true },
    corsOrigins,
  });
}

const preflight = (app: ReturnType<typeof createApp>, path: string, origin = H5): request.Test =>
  request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');

describe('CORS', () => {
  const app = service([H5]);

  it('answers a preflight from a listed origin with the methods, the request headers the API reads and a max age', async () => {
    const res = await preflight(app, '/v1/campaigns/c-1/participations');
    expect([res.status, res.headers['access-control-allow-origin']]).toEqual([204, H5]);
    expect(res.headers).toMatchObject({
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, Idempotency-Key, X-Request-Id',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('lets the page read an answer and the headers it acts on (Retry-After on a 429)', async () => {
    const res = await request(app)
      .post('/v1/campaigns/c-1/participations')
      .set('Origin', H5)
      .set('Content-Type', 'application/json')
      .send('{}');
    expect([res.status, res.headers['retry-after'], res.headers['access-control-allow-origin']]).toEqual([
      429,
      '3',
      H5,
    ]);
    expect(res.headers['access-control-expose-headers']).toBe(
      'Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate',
    );
  });

  it('gives no CORS header to an origin not listed, to /admin or /metrics, nor when CORS_ORIGINS is unset', async () => {
    const answers = [
      await preflight(app, '/v1/campaigns/c-1/participations', 'https://evil.example.com'),
      await request(app).get('/v1/campaigns').set('Origin', 'https://evil.example.com'),
      await preflight(app, '/admin/publish'),
      await request(app).get('/metrics').set('Origin', H5),
      await preflight(service([]), '/v1/campaigns/c-1/participations'),
      await request(service([])).get('/v1/campaigns').set('Origin', H5),
    ];
    expect(answers.map((res) => res.headers['access-control-allow-origin'])).toEqual(
      answers.map(() => undefined),
    );
  });
});
