/**
 * One error hierarchy for everything a caller may see. The express error handler maps AppError to its
 * status and JSON body; anything else is an unexpected 500 and the only kind logged as an error.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }

  /** The response headers this answer needs beside its body (both the error handler and the pipeline send them). */
  headers(): Record<string, string> {
    return {};
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields: FieldError[] = [], code = 'invalid_request') {
    super(400, code, message, fields.length > 0 ? { fields } : {});
  }
}

/**
 * RFC 6750's error for a `Bearer` challenge: a credential that was sent but is not valid (`invalid_token`), or an
 * `Authorization` header that is not a well-formed bearer credential (`invalid_request`); none when none was sent.
 */
export type BearerChallengeError = 'invalid_token' | 'invalid_request';

export class UnauthenticatedError extends AppError {
  constructor(
    message = 'missing or invalid client credentials',
    readonly challengeError?: BearerChallengeError,
  ) {
    super(401, 'unauthenticated', message);
  }

  /** RFC 9110 §15.5.2: a 401 carries a challenge; HTTP clients (Java's HttpURLConnection…) rely on one. */
  override headers(): Record<string, string> {
    const error = this.challengeError ? `, error="${this.challengeError}"` : '';
    return { 'WWW-Authenticate': `Bearer realm="pocket"${error}` };
  }
}

/**
 * A request that must carry pocket's own signature (`X-Pocket-Signature`, notification-signature.ts: the sandbox
 * issuer's) without a valid and recent one. Its challenge names that scheme, as a 401 must (RFC 9110 §15.5.2).
 */
export class SignatureRefusedError extends AppError {
  constructor(message: string) {
    super(401, 'unauthenticated', message);
  }

  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Pocket-Signature realm="pocket"' };
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/**
 * A 409 the same request may retry: its key still in flight, or the user's lock busy. `Retry-After: 1` says when,
 * as a 429 and a 503 do: the request in the way normally finishes well within it.
 */
export class RetryableConflictError extends ConflictError {
  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

export class UnprocessableError extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'rate limited',
  ) {
    super(429, 'rate_limited', message, { retryAfter: retryAfterSeconds });
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/**
 * `Retry-After` of a 503 dependency_unavailable, in seconds: the rate limiter's Redis circuit stays open this long,
 * and a Redis command or a ledger call gives up within it. Clients add their own jitter and backoff on top.
 */
const DEPENDENCY_RETRY_AFTER_S = 1;

export class DependencyUnavailableError extends AppError {
  constructor(
    readonly dependency: string,
    message = `${dependency} is unavailable`,
  ) {
    super(503, 'dependency_unavailable', message, { dependency });
  }

  /** Nothing was granted and nothing stored: the same request may be retried, after at least this pause. */
  override headers(): Record<string, string> {
    return { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_S) };
  }
}

/**
 * 503 reports_busy: every report slot of this process is taken and the queue behind them is full
 * (report-service.ts). Nothing is wrong with the request: the same one may be sent again after `Retry-After`, by
 * when a report of the queue has usually answered.
 */
export class ReportsBusyError extends AppError {
  constructor(message: string) {
    super(503, 'reports_busy', message);
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}
