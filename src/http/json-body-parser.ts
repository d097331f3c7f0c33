/**
 * The service's JSON body parser: strict (objects and arrays only), 8 KB unless told, and a prototype key
 * (`__proto__`, `constructor`, `prototype`) anywhere in the body refused before it reaches an object, as is an
 * object that repeats a key (RFC 8259 leaves its meaning to each parser). A body refused for such a key is
 * valid JSON: `ForbiddenKeyError` and the duplicate key's own 400 say so.
 */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { AppError, ValidationError } from '../errors/app-error';
import { firstDuplicateKey } from './json-duplicate-key';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Thrown by the reviver; body-parser passes it on (type `entity.parse.failed`) with its prototype intact. */
export class ForbiddenKeyError extends SyntaxError {
  constructor(key: string) {
    super(`request body holds a forbidden key "${key}"`);
  }
}

/** Read from the raw text by the parser's `verify` hook; answered only once the text parsed as JSON. */
function duplicateKeyError(key: string): ValidationError {
  const message = `request body holds the key "${key}" more than once in one object`;
  return new ValidationError(message, [{ path: '(body)', message }]);
}

/** JSON.parse reviver: a prototype key anywhere in the body is a 400, and never reaches an object. */
function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
  return value;
}

/**
 * A check of a body's raw bytes before they are parsed (the sandbox issuer's signature check): the error it
 * returns answers the request, ahead of anything the parser finds; null lets the body through.
 */
export type RawBodyCheck = (req: IncomingMessage, raw: Buffer) => Error | null;

/** The participation benchmark's bare endpoint uses it too, so both sides parse bodies alike. */
export function jsonBodyParser(limit = '8kb', checkRaw?: RawBodyCheck): RequestHandler {
  const duplicates = new WeakMap<object, string>();
  const refused = new WeakMap<object, Error>();
  const parse = express.json({
    limit,
    strict: true,
    reviver: rejectPrototypeKeys,
    verify: (req, _res, raw) => {
      const refusal = checkRaw?.(req, raw) ?? null;
      if (refusal !== null) refused.set(req, refusal);
      const key = firstDuplicateKey(raw.toString('utf8'));
      if (key !== null) duplicates.set(req, key);
    },
  });
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      const key = duplicates.get(req);
      next(refused.get(req) ?? err ?? (key === undefined ? undefined : duplicateKeyError(key)));
    });
  };
}

/** After the parser: a body that is there must be an object (strict parsing still lets a top-level array by). */
const requireObjectBody: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body))) {
    next();
    return;
  }
  next(
    new ValidationError('request body must be a JSON object', [
      { path: '(body)', message: 'must be a JSON object' },
    ]),
  );
};

/** The methods whose bodies the API reads (the only ones requireJson holds to application/json). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A body sent with POST, PUT or PATCH must be application/json (415 otherwise), before anything parses it. */
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (BODY_METHODS.has(req.method) && hasBody && !req.is('application/json')) {
    next(new AppError(415, 'unsupported_media_type', 'the request body must be application/json'));
    return;
  }
  next();
};

/**
 * The media type check, the parser and the object check, as one mountable chain, for POST, PUT and PATCH only:
 * no documented GET or DELETE takes a body, so one sent with them is ignored, never a 400, 413 or 415 the
 * operation does not document. Under /admin each route that reads a body runs it after the token and its scope
 * (publishing/admin-controller.ts), so a caller without them gets 401 or 403 whatever it sent.
 */
export function jsonObjectBody(limit?: string, checkRaw?: RawBodyCheck): RequestHandler[] {
  const parse = jsonBodyParser(limit, checkRaw);
  const bodiesOnly =
    (handler: RequestHandler): RequestHandler =>
    (req, res, next) => {
      if (BODY_METHODS.has(req.method)) handler(req, res, next);
      else next();
    };
  return [requireJson, bodiesOnly(parse), bodiesOnly(requireObjectBody)];
}
