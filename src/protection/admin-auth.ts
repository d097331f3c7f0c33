/**
 * Admin authentication for everything under /admin: `authenticateAdmin` (mounted once on the /admin router)
 * turns `Authorization: Bearer pk_…` into `res.locals.admin`, or answers 401 `unauthenticated`;
 * `requireScope(scope)` guards one route and answers 403 `forbidden_scope` when the token lacks the scope.
 */
import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors/app-error';
import type { AdminScope, TokenScope } from './api-token';
import { bearerToken } from './bearer-token';
import type { TokenVerifier } from './token-verifier';

export interface AdminPrincipal {
  tokenId: string;
  scopes: readonly TokenScope[];
}

export function adminPrincipal(res: Response): AdminPrincipal | undefined {
  return res.locals['admin'] as AdminPrincipal | undefined;
}

export function authenticateAdmin(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    if (token === undefined) throw new UnauthenticatedError('an admin token is required');
    if (token === null) throw new UnauthenticatedError('invalid admin token', 'invalid_request');
    const verified = await verifier.verify(token);
    if (!verified) throw new UnauthenticatedError('invalid admin token', 'invalid_token');
    const principal: AdminPrincipal = { tokenId: verified.id, scopes: verified.scopes };
    res.locals['admin'] = principal;
    next();
  };
}

/** Route guard: the authenticated admin token must hold `scope`. */
export function requireScope(scope: AdminScope): RequestHandler {
  return (_req, res, next) => {
    const principal = adminPrincipal(res);
    if (!principal) throw new UnauthenticatedError('an admin token is required');
    if (!principal.scopes.includes(scope)) {
      throw new ForbiddenError('forbidden_scope', `this token lacks the "${scope}" scope`);
    }
    next();
  };
}
