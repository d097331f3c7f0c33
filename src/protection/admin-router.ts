/**
 * The /admin router: every request under /admin is authenticated first (401 without a valid admin token),
 * and only then is its method checked (405); each route then asks for its scope with `requireScope` (403), and
 * only a route that reads a body parses it, after its scope. Feature routers (publishing, operations) are mounted
 * inside with paths relative to /admin, e.g. `/campaigns/:id/pause`.
 */
import { Router } from 'express';
import { methodGuard } from '../http/method-guard';
import { authenticateAdmin } from './admin-auth';
import type { TokenVerifier } from './token-verifier';

export function adminRouter(verifier: TokenVerifier, routers: readonly Router[]): Router {
  const admin = Router();
  admin.use(authenticateAdmin(verifier));
  // A method the documented path does not answer: 405 with Allow (after the token; no route, so no scope).
  admin.use(methodGuard);
  // No body parser here: each route that reads one parses it after its scope (a read token posting a megabyte
  // to /admin/publish is a 403, not a 413 or 400, and its body is never parsed).
  for (const router of routers) admin.use(router);
  const root = Router();
  root.use('/admin', admin);
  return root;
}
