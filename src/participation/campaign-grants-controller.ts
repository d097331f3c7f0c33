/**
 * GET /admin/campaigns/{id}/grants?from=&to=&status=&limit=&after= (scope read): a campaign's grants for finance,
 * oldest first, a page at a time (campaign-grants-service.ts).
 */
import { Router, type RequestHandler } from 'express';
import { ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import type { AdminScope } from '../protection/api-token';
import { readGrantsQuery, type CampaignGrantsService } from './campaign-grants-service';

export function campaignGrantsRouter(deps: {
  grants: CampaignGrantsService;
  requireScope: (scope: AdminScope) => RequestHandler;
}): Router {
  const router = Router();
  router.get('/campaigns/:id/grants', deps.requireScope('read'), async (req, res) => {
    const campaignId = String(req.params['id'] ?? '');
    const fields: FieldError[] = [];
    checkCampaignId(campaignId, 'id', fields);
    if (fields.length > 0) throw new ValidationError('invalid request', fields);
    const q = req.query;
    const filter = readGrantsQuery(
      { from: q['from'], to: q['to'], status: q['status'], limit: q['limit'], after: q['after'] },
      (key) => key,
    );
    res.set('Cache-Control', 'no-store');
    res.json(await deps.grants.page(campaignId, filter));
  });
  return router;
}
