/**
 * CORS for browser clients (an H5 page on its own origin), opt-in with CORS_ORIGINS: only the listed origins,
 * only on the client API (`/v1/…`: participations, a user's grants, the public campaign views), never on /admin,
 * /metrics or the dashboard. Credentials are bearer tokens in `Authorization`, never cookies, so no
 * `Access-Control-Allow-Credentials`. A preflight from a listed origin gets the methods the path answers, the
 * request headers the API reads, and a 10-minute cache; the answers expose the headers a client acts on
 * (Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate), which CORS hides by default. An origin
 * not listed gets no CORS header at all, so its browser keeps the response from the page.
 */
import type { RequestHandler } from 'express';
import { allowedMethods } from './documented-routes';

const CLIENT_API = /^\/v1\//i;
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
const EXPOSE_HEADERS = 'Retry-After, Idempotent-Replayed, X-Request-Id, WWW-Authenticate';
const PREFLIGHT_MAX_AGE_S = '600';

export function cors(origins: readonly string[]): RequestHandler {
  const listed = new Set(origins);
  return (req, res, next) => {
    if (listed.size === 0 || !CLIENT_API.test(req.path)) {
      next();
      return;
    }
    res.vary('Origin');
    const origin = req.get('Origin');
    if (origin === undefined || !listed.has(origin)) {
      next();
      return;
    }
    res.set('Access-Control-Allow-Origin', origin);
    const allowed = allowedMethods(req.path);
    if (req.method === 'OPTIONS' && req.get('Access-Control-Request-Method') !== undefined && allowed) {
      res.set({
        'Access-Control-Allow-Methods': allowed.join(', '),
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_S,
      });
    } else {
      res.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    next();
  };
}
