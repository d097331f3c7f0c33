/**
 * The one express error handler. AppError → its status and code; body-parser failures → 400/413/415; a
 * dependency that is down → 503 dependency_unavailable; anything else is an unexpected 500, the only kind logged as an error. Never a stack trace in a response.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, DependencyUnavailableError, NotFoundError, ValidationError } from '../errors/app-error';
import { dependencyOf } from '../errors/dependency-failure';
import type { Logger } from '../observability/logger';
import { ForbiddenKeyError } from './json-body-parser';

interface HttpishError {
  type?: string;
  message?: string;
  status?: number;
  statusCode?: number;
}

function fromBodyParser(err: HttpishError): AppError | null {
  if (err.type === 'entity.parse.failed' && err instanceof ForbiddenKeyError) {
    // Valid JSON, refused for what it holds: say which key, not "not valid JSON".
    return new ValidationError(err.message, [{ path: '(body)', message: err.message }]);
  }
  switch (err.type) {
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'request body is too large');
    case 'entity.parse.failed':
      // The parser's own words name the position ("… in JSON at position 12"), as a field error like any 400's.
      return new ValidationError('request body is not valid JSON', [
        { path: '(body)', message: err.message ?? 'is not valid JSON' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
      return new ValidationError('request body was incomplete', [
        { path: '(body)', message: 'ended before its Content-Length' },
      ]);
    default:
      return null;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const dependency = err instanceof AppError ? null : dependencyOf(err);
    const known =
      err instanceof AppError
        ? err
        : dependency
          ? new DependencyUnavailableError(dependency)
          : fromBodyParser(err as HttpishError);
    const error = known ?? new AppError(500, 'internal_error', 'internal error');
    if (!known) {
      const requestId = res.locals['requestId'] as string | undefined;
      logger.error({ err, method: req.method, url: req.originalUrl, requestId }, 'unexpected error');
    }
    if (error.status === 429 && typeof error.details['retryAfter'] === 'number') {
      res.set('Retry-After', String(error.details['retryAfter']));
    }
    res.status(error.status).json(error.toJSON());
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('not_found', `no route for ${req.method} ${req.path}`));
};
