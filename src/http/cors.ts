/**
 * CORS for browser clients (an H5 page on its own origin), opt-in with CORS_ORIGINS: only the listed origins,
 * only on the client API (`/v1/…`: participations, a user's grants, the public campaign views), never on /admin,
 * /metrics or the dashboard. Credentials are bearer tokens in `Authorization`, never cookies, so no
 * `Access-Control-Allow-Credentials`. A preflight gets the methods the path answers, the request headers the API
 * reads, and a 10-minute cache, then goes on to the method guard, which answers it (204 with Allow); the answers
 * expose the headers a client acts on (Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate), which
 * CORS hides by default. An origin not listed gets no Access-Control-Allow-Origin, so its browser keeps the
 * response from the page. The headers themselves are the `cors` package's.
 */
import type { Request, RequestHandler } from 'express';
import corsHeaders from 'cors';
import { allowedMethods } from './documented-routes';

const CLIENT_API = /^\/v1\//i;
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
const EXPOSE_HEADERS = 'Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate';
const PREFLIGHT_MAX_AGE_S = 600;

export function cors(origins: readonly string[]): RequestHandler {
  const withHeaders = corsHeaders<Request>((req, callback) => {
    callback(null, {
      origin: [...origins],
      methods: (allowedMethods(req.path) ?? []).join(', '),
      allowedHeaders: ALLOW_HEADERS,
      exposedHeaders: EXPOSE_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_S,
      preflightContinue: true,
    });
  });
  return (req, res, next) => {
    if (origins.length === 0 || !CLIENT_API.test(req.path)) {
      next();
      return;
    }
    withHeaders(req, res, next);
  };
}
