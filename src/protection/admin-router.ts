/**
 * The /admin router: every request under /admin is authenticated first (401 without a valid admin token),
 * and only then is its method checked (405) and its body parsed; each route then asks for its scope with
 * `requireScope`. Feature routers (publishing, operations) are mounted inside with paths relative to /admin,
 * e.g. `/campaigns/:id/pause`.
 */
import { Router } from 'express';
import { jsonObjectBody } from '../http/json-body-parser';
import { methodGuard } from '../http/method-guard';
import { authenticateAdmin } from './admin-auth';
import type { TokenVerifier } from './token-verifier';

export function adminRouter(verifier: TokenVerifier, routers: readonly Router[]): Router {
  const admin = Router();
  admin.use(authenticateAdmin(verifier));
  // A method the documented path does not answer: 405 with Allow (after the token, before the body).
  admin.use(methodGuard);
  // Bodies carry whole resolved campaigns (publish): a larger limit, the same strict parsing, after the token.
  admin.use(jsonObjectBody('1mb'));
  for (const router of routers) admin.use(router);
  const root = Router();
  root.use('/admin', admin);
  return root;
}
