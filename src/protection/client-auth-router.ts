/**
 * Mounts client authentication in front of the participation and user-grants routes. A participation's refusal
 * is answered by the pipeline at its client-auth step (DESIGN.md order); a user-grants refusal at once.
 */
import { Router } from 'express';
import { authenticateClient, type ClientAuthOptions } from './client-auth';

export function clientAuthRouter(options: ClientAuthOptions): Router {
  const router = Router();
  router.post(
    '/v1/campaigns/:id/participations',
    authenticateClient(options, (req) => (req.body as { userId?: unknown } | undefined)?.userId, true),
  );
  router.get(
    '/v1/users/:userId/grants',
    authenticateClient(options, (req) => req.params['userId']),
  );
  return router;
}
