/**
 * The client address (req.ip) behind proxies: per-IP rate limits and IP blocks key on it, so only the
 * proxies TRUST_PROXY names may set it through X-Forwarded-For. supertest connects from 127.0.0.1.
 */
import { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp, type AppParts } from '../../../src/http/app';
import { createBackends, createTestPocket } from '../../helpers/pocket';

function appTrusting(trustProxy: AppParts['trustProxy']) {
  const router = Router();
  router.get('/ip', (req, res) => {
    res.json({ ip: req.ip });
  });
  return createApp({
    logger: pino({ level: 'silent' }),
    routers: [router],
    health: { ready: () => true },
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
}

const ipSeenBy = async (trustProxy: AppParts['trustProxy']): Promise<string> =>
  (
    (await request(appTrusting(trustProxy)).get('/ip').set('X-Forwarded-For', '203.0.113.9')).body as {
      ip: string;
    }
  ).ip;

describe('trust proxy', () => {
  it('by default trusts a proxy on loopback only: its X-Forwarded-For is the client address', async () => {
    expect(await ipSeenBy(undefined)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    expect(await ipSeenBy(false)).toMatch(/127\.0\.0\.1$/);
    expect(await ipSeenBy('10.0.0.0/8')).toMatch(/127\.0\.0\.1$/);
  });

  it('takes it from the trusted hops', async () => {
    expect(await ipSeenBy(1)).toBe('203.0.113.9');
    expect(await ipSeenBy('loopback, 10.0.0.0/8')).toBe('203.0.113.9');
  });

  it('is what the service is configured with (TRUST_PROXY)', async () => {
    const backends = await createBackends('sqlite+memory');
    const pocket = await createTestPocket(backends, { config: { trustProxy: '10.0.0.0/8' } });
    try {
      expect(pocket.app.get('trust proxy')).toBe('10.0.0.0/8');
    } finally {
      await pocket.close();
      await backends.destroy();
    }
  });
});
