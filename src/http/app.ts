/**
 * The express app: security headers, 405 for a method a documented path does not answer, strict JSON bodies
 * (8 KB, application/json only, no prototype keys; read on POST, PUT and PATCH to a documented path only), the
 * feature routers given by the composition root, health endpoints and the one error handler.
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../observability/logger';
import { cors } from './cors';
import { documentedTemplate } from './documented-routes';
import { errorHandler, notFoundHandler } from './error-handler';
import { jsonObjectBody } from './json-body-parser';
import { methodGuard } from './method-guard';
import openapi from './openapi.json';

export { jsonBodyParser } from './json-body-parser';

export interface Health {
  /** Registry loaded, counters warm, not draining. */
  ready(): boolean;
}

export interface AppParts {
  logger: Logger;
  routers: Router[];
  health: Health;
  /** Trusted proxy setting for req.ip (express "trust proxy"). */
  trustProxy?: string | boolean | number;
  /** Browser origins allowed on the client API (CORS_ORIGINS); none: no CORS headers. */
  corsOrigins?: readonly string[];
  /** Run first on every request, before body parsing (request id, request metrics). */
  middleware?: RequestHandler[];
}

const openapiBody = JSON.stringify(openapi);
/** What the admin router serves: express matches mount paths case-insensitively, so `/ADMIN/…` too. */
const ADMIN_PATH = /^\/admin(\/|$)/i;

export function createApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parts.trustProxy ?? 'loopback');
  app.set('json spaces', 0);
  app.use(helmet());
  for (const handler of parts.middleware ?? []) app.use(handler);
  // Before the method guard, whose OPTIONS 204 then answers a preflight with these headers on it.
  app.use(cors(parts.corsOrigins ?? []));
  // Under /admin the method is checked after the token (adminRouter): nothing there answers without one.
  app.use((req, res, next) => {
    if (ADMIN_PATH.test(req.path)) next();
    else methodGuard(req, res, next);
  });
  // Bodies are parsed here for documented paths only (the method guard has let only their own methods by), so a
  // POST to a path that does not exist is a 404, never the parser's 415, 400 or 413. /admin bodies (whole resolved
  // campaigns on publish: up to 1 MB) are parsed by the admin routes that read them, after the token and the
  // route's scope are checked, so that no caller without them gets a megabyte parsed, or a parser's or the media
  // type check's opinion of it; an undocumented route that reads a body (the sandbox issuer) parses its own.
  const bodies = express.Router().use(jsonObjectBody());
  app.use((req, res, next) => {
    if (ADMIN_PATH.test(req.path) || documentedTemplate(req.path) === null) next();
    else bodies(req, res, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = parts.health.ready();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapiBody);
  });
  for (const router of parts.routers) app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
