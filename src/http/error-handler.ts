/**
 * The one express error handler. AppError → its status and code; body-parser failures → 400/413/415; the
 * client's other mistakes express reports (a malformed percent-encoding in the path, a body that does not
 * decompress) → 400; a dependency that is down → 503 dependency_unavailable; anything else is an unexpected
 * 500, the only kind logged as an error. Never a stack trace in a response.
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
  code?: unknown;
  /** zlib and brotli stream errors carry one. */
  errno?: unknown;
  /** body-parser: the raw body text of a parse failure. */
  body?: unknown;
  /** http-errors: the message is meant for the client (every 4xx). */
  expose?: boolean;
}

const NOT_AN_OBJECT = 'request body must be a JSON object';

/** JSON that parses, yet strict parsing refused: a top-level null, number, string or boolean. */
function isJsonPrimitive(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    const value: unknown = JSON.parse(text);
    return value === null || typeof value !== 'object';
  } catch {
    return false;
  }
}

function parseFailure(err: HttpishError): AppError {
  if (err instanceof ForbiddenKeyError) {
    // Valid JSON, refused for what it holds: say which key, not "not valid JSON".
    return new ValidationError(err.message, [{ path: '(body)', message: err.message }]);
  }
  if (isJsonPrimitive(err.body)) {
    return new ValidationError(NOT_AN_OBJECT, [{ path: '(body)', message: 'must be a JSON object' }]);
  }
  if (/call stack/i.test(err.message ?? '')) {
    return new ValidationError('request body is nested too deeply', [
      { path: '(body)', message: 'is nested too deeply to parse' },
    ]);
  }
  // The parser's own words name the position ("… in JSON at position 12"), as a field error like any 400's.
  return new ValidationError('request body is not valid JSON', [
    { path: '(body)', message: err.message ?? 'is not valid JSON' },
  ]);
}

/** A client mistake express or its parsers flag with a 4xx status but no `type` of body-parser's. */
function fromClientError(err: HttpishError, encoding: string | undefined): AppError | null {
  const status = err.status ?? err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (err instanceof URIError) {
    return new ValidationError('request path is not valid', [
      { path: '(path)', message: 'holds a malformed percent-encoding' },
    ]);
  }
  if (encoding !== undefined && encoding !== 'identity' && typeof err.errno === 'number') {
    // The decompressing stream's failure (zlib: Z_DATA_ERROR…, brotli: ERR__ERROR_FORMAT_…): a gzip, deflate or
    // br body that does not decompress.
    return new ValidationError('request body could not be decompressed', [
      { path: '(body)', message: `is not valid ${encoding} data` },
    ]);
  }
  return status === 400
    ? new ValidationError('invalid request', [
        { path: '(request)', message: err.expose && err.message ? err.message : 'is malformed' },
      ])
    : new AppError(status, 'invalid_request', err.expose && err.message ? err.message : 'invalid request');
}

function fromBodyParser(err: HttpishError): AppError | null {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'request body is too large');
    case 'entity.parse.failed':
      return parseFailure(err);
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
          : (fromBodyParser(err as HttpishError) ??
            fromClientError(err as HttpishError, req.get('content-encoding')));
    const error = known ?? new AppError(500, 'internal_error', 'internal error');
    if (!known) {
      const requestId = res.locals['requestId'] as string | undefined;
      logger.error({ err, method: req.method, url: req.originalUrl, requestId }, 'unexpected error');
    }
    res.set(error.headers());
    res.status(error.status).json(error.toJSON());
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('not_found', `no route for ${req.method} ${req.path}`));
};
