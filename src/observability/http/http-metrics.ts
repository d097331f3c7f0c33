/**
 * Times every HTTP request into `pocket_http_request_duration_seconds`, labelled with the route template
 * (`/v1/campaigns/:id/participations`, never the concrete path, so label values stay few) and the status.
 * A documented path takes the template openapi.json gives it, whoever answered (a router, or the checks before
 * any router ran: bad JSON, 413, 415, 405, a CORS preflight); an undocumented route (the sandbox issuer) its
 * express template; requests of no route share one label value.
 */
import type { Request, RequestHandler } from 'express';
import { documentedTemplate } from '../../http/documented-routes';
import type { PocketMetrics } from '../metrics/pocket-metrics';

function routeTemplate(req: Request): string {
  // The documented template before express's: by the time an answer is sent, an error a router mounted at
  // /admin threw has left that router (req.baseUrl is back to ""), and req.baseUrl holds the client's own case
  // (/ADMIN/tokens), so `${req.baseUrl}${route}` would split one route into several label values.
  const documented = documentedTemplate(req.originalUrl.split('?')[0] ?? '');
  if (documented !== null) return documented;
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
