/**
 * The sandbox issuer over HTTP, at /sandbox/issuer: the same protocol as a real issuer (issuer.ts), so that an
 * ISSUER_*_URL may point at it and reconciliation reads a real endpoint. Not mounted in production. It verifies
 * what it receives as a real issuer should: a request without a valid, recent signature made with one of the
 * service's own issuer secrets (config.ts, issuerSecretsInUse) is refused, 401, before its body or query is looked
 * at. The sandbox reached in process (test grants, reward types without an issuer URL) is called directly,
 * unsigned. This face lists only the records that reached it over HTTP (sandbox-issuer.ts, `channel`).
 */
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type RequestHandler } from 'express';
import { SignatureRefusedError, ValidationError } from '../errors/app-error';
import { jsonObjectBody } from '../http/json-body-parser';
import { issuedPageJson } from './issued-page';
import type { IssueRequest, Issuer } from './issuer';
import { verifySignature, verifyTargetSignature } from './notification-signature';

export interface SandboxIssuerRouterOptions {
  /**
   * The service's issuer secrets (ISSUER_<TYPE>_SECRET, or WEBHOOK_SECRET for a type without one, and their
   * `_PREVIOUS` while set): any one's signature passes.
   */
  secrets: readonly string[];
  /** The variables holding them, named in a refusal (never their values). */
  secretNames: readonly string[];
  /** The service's clock, against which a signature's timestamp must be within 5 minutes. */
  clock: () => Date;
}

const SANDBOX_ISSUER_PATH = '/sandbox/issuer';
const MAX_LIMIT = 1000;

function dateParam(req: Request, name: string): Date {
  const value = req.query[name];
  const date = typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new ValidationError(`${name} must be an ISO date-time`, [
      { path: name, message: 'expected an ISO 8601 date-time' },
    ]);
  }
  return date;
}

function limitParam(req: Request): number {
  const value = req.query['limit'];
  if (value === undefined) return 100;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    throw new ValidationError(`limit must be an integer in 1..${MAX_LIMIT}`, [
      { path: 'limit', message: `expected 1..${MAX_LIMIT}` },
    ]);
  }
  return n;
}

function issueRequest(body: unknown, key: string | undefined): IssueRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const fields: Array<{ path: string; message: string }> = [];
  for (const name of ['grantId', 'campaignId', 'userId', 'rewardId', 'type', 'businessDate']) {
    if (typeof b[name] !== 'string' || b[name] === '')
      fields.push({ path: name, message: 'expected a string' });
  }
  if (typeof b.amount !== 'number' || !Number.isSafeInteger(b.amount) || b.amount < 0)
    fields.push({ path: 'amount', message: 'expected a non-negative integer' });
  if (b.currency !== null && typeof b.currency !== 'string')
    fields.push({ path: 'currency', message: 'expected a string or null' });
  if (typeof b.test !== 'boolean') fields.push({ path: 'test', message: 'expected a boolean' });
  if (key === undefined || key !== b.grantId)
    fields.push({ path: 'Idempotency-Key', message: 'must be present and equal grantId' });
  if (fields.length > 0) throw new ValidationError('invalid grant', fields);
  return b as unknown as IssueRequest;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Why a request's signature is refused, null when it verifies. `payload`: the raw body, or for a listing its
 * request target (notification-signature.ts).
 */
function signatureRefusal(
  req: IncomingMessage,
  options: SandboxIssuerRouterOptions,
  verify: (secret: string, timestamp: string, signature: string, now: Date) => boolean,
): SignatureRefusedError | null {
  const timestamp = headerValue(req, 'x-pocket-timestamp');
  const signature = headerValue(req, 'x-pocket-signature');
  if (timestamp === undefined || signature === undefined) {
    return new SignatureRefusedError(
      'unsigned request: an issuer takes requests signed by pocket only (X-Pocket-Timestamp, X-Pocket-Signature)',
    );
  }
  const now = options.clock();
  if (options.secrets.some((secret) => verify(secret, timestamp, signature, now))) return null;
  const names = options.secretNames.flatMap((name) => [name, `${name}_PREVIOUS`]).join(' or ');
  return new SignatureRefusedError(
    `X-Pocket-Signature does not verify with ${names}, or X-Pocket-Timestamp is more than 5 minutes off`,
  );
}

/** A signed body (POST): the signature covers its raw bytes. */
function bodyRefusal(
  req: IncomingMessage,
  body: string,
  options: SandboxIssuerRouterOptions,
): SignatureRefusedError | null {
  return signatureRefusal(req, options, (secret, timestamp, signature, now) =>
    verifySignature({ secret, body, timestamp, signature, now }),
  );
}

export function sandboxIssuerRouter(sandbox: Issuer, options: SandboxIssuerRouterOptions): Router {
  const router = Router();
  const signedBodies = new WeakSet<IncomingMessage>();
  const checkBody = (req: IncomingMessage, raw: Buffer): Error | null => {
    const refusal = bodyRefusal(req, raw.toString('utf8'), options);
    if (refusal === null) signedBodies.add(req);
    return refusal;
  };
  /** A listing (GET) has no body: its signature covers the path and query exactly as received. */
  const signedTarget: RequestHandler = (req, _res, next) => {
    next(
      signatureRefusal(req, options, (secret, timestamp, signature, now) =>
        verifyTargetSignature({ secret, target: req.originalUrl, timestamp, signature, now }),
      ) ?? undefined,
    );
  };
  /** An unsigned request is refused before anything else is looked at (its media type, its size). */
  const signatureHeaders: RequestHandler = (req, _res, next) => {
    const unsigned =
      headerValue(req, 'x-pocket-timestamp') === undefined ||
      headerValue(req, 'x-pocket-signature') === undefined;
    next(unsigned ? signatureRefusal(req, options, () => false) : undefined);
  };
  // Its own body parser: the app parses bodies for documented routes only (openapi.json does not list this one).
  // The signature is checked on the raw bytes, ahead of anything the parser finds in them.
  const grants = `${SANDBOX_ISSUER_PATH}/grants`;
  router.post(grants, signatureHeaders, ...jsonObjectBody(undefined, checkBody), async (req, res) => {
    // No body was read (none sent): what was signed is the empty body.
    if (!signedBodies.has(req)) {
      const refusal = bodyRefusal(req, '', options);
      if (refusal) throw refusal;
    }
    const request = issueRequest(req.body, req.get('idempotency-key'));
    const result = await sandbox.issue(request);
    if (result.kind === 'delivered') {
      res.status(result.status).json({ grantId: request.grantId });
      return;
    }
    res
      .status(503)
      .json({ error: { code: 'dependency_unavailable', message: 'sandbox issuer unavailable' } });
  });
  router.get(grants, signedTarget, async (req, res) => {
    const cursor = req.query['cursor'];
    if (cursor !== undefined && typeof cursor !== 'string')
      throw new ValidationError('cursor must be a string');
    try {
      const page = await sandbox.listIssued({
        since: dateParam(req, 'since'),
        until: dateParam(req, 'until'),
        cursor: cursor ?? null,
        limit: limitParam(req),
      });
      res.json(issuedPageJson(page));
    } catch (error) {
      if (error instanceof RangeError) throw new ValidationError('invalid cursor');
      throw error;
    }
  });
  return router;
}
