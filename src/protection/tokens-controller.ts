/** GET /admin/tokens (read): the tokens, without secrets. DELETE /admin/tokens/{id} (operate): revoke. */
import { Router } from 'express';
import { NotFoundError } from '../errors/app-error';
import { requireScope } from './admin-auth';
import { tokenView, type TokenService } from './token-service';

export function tokensRouter(tokens: TokenService): Router {
  const router = Router();
  router.get('/tokens', requireScope('read'), async (_req, res) => {
    res.json({ tokens: (await tokens.list()).map(tokenView) });
  });
  router.delete('/tokens/:id', requireScope('operate'), async (req, res) => {
    const id = String(req.params['id']);
    if ((await tokens.revoke(id)) === null)
      throw new NotFoundError('token_not_found', `no active token "${id}"`);
    res.status(204).end();
  });
  return router;
}
