/** Mounts client authentication in front of the participation and user-grants routes. */
import { Router } from 'express';
import { authenticateClient, type ClientAuthOptions } from './client-auth';

export function clientAuthRouter(options: ClientAuthOptions): Router {
  const router = Router();
  router.post(
    '/v1/campaigns/:id/participations',
    authenticateClient(options, (req) => (req.body as { userId?: unknown } | undefined)?.userId),
  );
  router.get(
    '/v1/users/:userId/grants',
    authenticateClient(options, (req) => req.params['userId']),
  );
  return router;
}
