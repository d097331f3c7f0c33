/**
 * The sandbox issuer over HTTP, at /sandbox/issuer: the same protocol as a real issuer (issuer.ts), so that an
 * ISSUER_*_URL may point at it and reconciliation reads a real endpoint. Not mounted in production.
 */
import { Router, type Request } from 'express';
import { ValidationError } from '../errors/app-error';
import { jsonObjectBody } from '../http/json-body-parser';
import { issuedPageJson } from './issued-page';
import type { IssueRequest, Issuer } from './issuer';

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

export function sandboxIssuerRouter(sandbox: Issuer): Router {
  const router = Router();
  // Its own body parser: the app parses bodies for documented routes only (openapi.json does not list this one).
  router.post(`${SANDBOX_ISSUER_PATH}/grants`, ...jsonObjectBody(), async (req, res) => {
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
  router.get(`${SANDBOX_ISSUER_PATH}/grants`, async (req, res) => {
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
