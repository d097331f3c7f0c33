/**
 * Times every HTTP request into `pocket_http_request_duration_seconds`, labelled with the route template
 * (`/v1/campaigns/:id/participations`, never the concrete path, so label values stay few) and the status.
 * Requests no route matched share one label value.
 */
import type { Request, RequestHandler } from 'express';
import type { PocketMetrics } from '../metrics/pocket-metrics';

export function routeTemplate(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : '(unmatched)';
}

export function httpMetrics(metrics: Pick<PocketMetrics, 'httpDuration'>): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) });
    });
    next();
  };
}
