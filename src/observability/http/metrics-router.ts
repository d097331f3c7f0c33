/**
 * GET /metrics in the Prometheus text format. Open by default, as exporters are (scrapers reach it through the
 * network policy; it carries aggregates, never a user id); with METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>` (Prometheus `authorization: { credentials_file: … }`), compared in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { UnauthenticatedError } from '../../errors/app-error';
import { bearerToken } from '../../protection/bearer-token';
import type { PocketMetrics } from '../metrics/pocket-metrics';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function metricsRouter(metrics: Pick<PocketMetrics, 'render'>, token: string | null): Router {
  const expected = token === null ? null : digest(token);
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const given = bearerToken(req);
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
        const challenge =
          given === undefined ? undefined : given === null ? 'invalid_request' : 'invalid_token';
        throw new UnauthenticatedError('a metrics token is required (METRICS_TOKEN)', challenge);
      }
    }
    const { contentType, body } = await metrics.render();
    res.set('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  });
  return router;
}
