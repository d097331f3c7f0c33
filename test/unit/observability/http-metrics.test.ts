/**
 * pocket_http_request_duration_seconds labels a request with its route template, also when the answer came
 * before any router ran (bad JSON, 413, 415, 405, a preflight on the participation route); paths no documented route holds share
 * `(unmatched)`, so clients cannot mint label values. A router mounted under a prefix (/admin) keeps it, also
 * when its handler throws, whatever case the client typed.
 */
import { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { NotFoundError } from '../../../src/errors/app-error';
import { createApp } from '../../../src/http/app';
import { httpMetrics } from '../../../src/observability/http/http-metrics';
import { PocketMetrics } from '../../../src/observability/metrics/pocket-metrics';

const PARTICIPATE = '/v1/campaigns/:id/participations';

/** Mounted at /admin as the admin router is: paths relative to it, one answer and one thrown error. */
function adminRoutes(): Router {
  const admin = Router();
  admin.get('/audit', (_req, res) => {
    res.json({ entries: [] });
  });
  admin.delete('/tokens/:id', (req) => {
    throw new NotFoundError('token_not_found', `no active token "${String(req.params['id'])}"`);
  });
  return Router().use('/admin', admin);
}

async function routesSeen(send: (app: ReturnType<typeof createApp>) => Promise<unknown>): Promise<string[]> {
  const metrics = new PocketMetrics(null, { defaultMetrics: false });
  const router = Router();
  router.post(PARTICIPATE, (_req, res) => {
    res.status(201).json({});
  });
  const app = createApp({
    logger: pino({ level: 'silent' }),
    routers: [router, adminRoutes()],
    health: { ready: () => true },
    middleware: [httpMetrics(metrics)],
  });
  await send(app);
  const { values } = (await metrics.httpDuration.get()) as {
    values: Array<{ labels: Record<string, string | number>; metricName?: string; value: number }>;
  };
  return values
    .filter((v) => v.metricName === 'pocket_http_request_duration_seconds_count' && v.value > 0)
    .map((v) => `${String(v.labels['status'])} ${String(v.labels['route'])}`)
    .sort();
}

describe('httpMetrics route label', () => {
  it('labels bad JSON, 413 and 415 on a documented route with its template, not (unmatched)', async () => {
    const seen = await routesSeen(async (app) => {
      const post = () => request(app).post('/v1/campaigns/spring-sale/participations');
      await post().set('Content-Type', 'application/json').send('{"userId": ');
      await post().send({ userId: 'u-1', pad: 'x'.repeat(9000) });
      await post().set('Content-Type', 'text/plain').send('userId=u-1');
      await post().send({ userId: 'u-1' });
    });
    expect(seen).toEqual([
      `201 ${PARTICIPATE}`,
      `400 ${PARTICIPATE}`,
      `413 ${PARTICIPATE}`,
      `415 ${PARTICIPATE}`,
    ]);
  });

  it('keeps paths no documented route holds under one (unmatched) value', async () => {
    const seen = await routesSeen(async (app) => {
      for (const path of [
        '/random-1',
        '/v1/campaigns/a/b/participations',
        '/v1/campaigns/x/participations',
      ]) {
        await request(app).put(path).set('Content-Type', 'application/json').send('{"bad": ');
      }
    });
    expect(seen).toEqual(['404 (unmatched)', `405 ${PARTICIPATE}`]);
  });

  it('labels a 405 and a preflight on a documented path with its template: the method label tells them apart', async () => {
    const seen = await routesSeen(async (app) => {
      await request(app).delete('/v1/campaigns/spring-sale/participations');
      await request(app).options('/v1/campaigns/spring-sale/participations');
    });
    expect(seen).toEqual([`204 ${PARTICIPATE}`, `405 ${PARTICIPATE}`]);
  });

  it('keeps the /admin prefix of a route that threw, and one label whatever case the path was typed in', async () => {
    const seen = await routesSeen(async (app) => {
      await request(app).get('/admin/audit');
      await request(app).get('/ADMIN/Audit');
      await request(app).delete('/admin/tokens/0123456789abcdef');
      await request(app).delete('/Admin/tokens/0123456789abcdef');
    });
    expect(seen).toEqual(['200 /admin/audit', '404 /admin/tokens/:tokenId']);
  });
});
