/**
 * Methods on documented paths (src/http/openapi.json): a method the path does not answer is 405
 * `method_not_allowed` with an `Allow` header, not a 404 that would say the resource is missing; OPTIONS is
 * 204 with the same `Allow` on every documented path. Paths no documented route holds go on (to a 404).
 * Mounted before body checks (a PUT's content type or JSON does not matter), and under /admin after the token.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { allowedMethods } from './documented-routes';

export const methodGuard: RequestHandler = (req, res, next) => {
  const path = req.originalUrl.split('?')[0] ?? '';
  const allowed = allowedMethods(path);
  if (allowed === null || (allowed.includes(req.method) && req.method !== 'OPTIONS')) {
    next();
    return;
  }
  res.set('Allow', allowed.join(', '));
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  next(
    new AppError(
      405,
      'method_not_allowed',
      `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`,
    ),
  );
};
