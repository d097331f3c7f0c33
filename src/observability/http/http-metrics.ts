/**
 * Times every HTTP request into `pocket_http_request_duration_seconds`, labelled with the route template
 * (`/v1/campaigns/:id/participations`, never the concrete path, so label values stay few) and the status.
 * A request answered before the routers ran (bad JSON, 413, 415, 405, a CORS preflight) takes the documented
 * route its path belongs to; requests of no documented route share one label value.
 */
import type { Request, RequestHandler } from 'express';
import { documentedTemplate } from '../../http/documented-routes';
import type { PocketMetrics } from '../metrics/pocket-metrics';

function routeTemplate(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`;
  // Answered before a router ran (bad JSON, 413, 415, 405, a preflight): the documented route of the path, if any.
  return documentedTemplate(req.originalUrl.split('?')[0] ?? '') ?? '(unmatched)';
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
