/**
 * Every request gets an id: the caller's `X-Request-Id` when it is a sane token (a gateway's trace id, up to 128
 * characters of A-Z a-z 0-9 . _ : -), else a fresh UUID. It is echoed back in `X-Request-Id` and kept in
 * `res.locals.requestId` for the log lines of that request.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is a sane token, else a fresh one. */
export function chooseRequestId(given: string | undefined): string {
  return given !== undefined && SANE.test(given) ? given : randomUUID();
}

export function requestIdOf(res: Response): string | undefined {
  return res.locals['requestId'] as string | undefined;
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = chooseRequestId(req.get('X-Request-Id'));
    res.locals['requestId'] = id;
    res.set('X-Request-Id', id);
    next();
  };
}
