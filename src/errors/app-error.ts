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
}

export class ValidationError extends AppError {
  constructor(message: string, fields: FieldError[] = [], code = 'invalid_request') {
    super(400, code, message, fields.length > 0 ? { fields } : {});
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'missing or invalid client credentials') {
    super(401, 'unauthenticated', message);
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
}

export class DependencyUnavailableError extends AppError {
  constructor(
    readonly dependency: string,
    message = `${dependency} is unavailable`,
  ) {
    super(503, 'dependency_unavailable', message, { dependency });
  }
}
