/** GET /v1/users/{userId}/grants: that user's grants, newest first (client rules apply, DESIGN.md). */
import { Router } from 'express';
import { ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import { integerQuery } from '../http/query-params';
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { USER_ID } from '../shared/user-id';

export function grantsRouter(deps: { db: Db; grants: GrantStore }): Router {
  const router = Router();
  router.get('/v1/users/:userId/grants', async (req, res) => {
    const userId = String(req.params['userId']);
    const campaignId = req.query['campaign'];
    const limit = integerQuery(req.query['limit'], 50);
    const fields: FieldError[] = [];
    if (!USER_ID.test(userId))
      fields.push({
        path: 'userId',
        message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone',
      });
    if (campaignId !== undefined) checkCampaignId(campaignId, 'campaign', fields);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      fields.push({ path: 'limit', message: 'must be an integer from 1 to 200' });
    if (fields.length > 0) throw new ValidationError('invalid request', fields);
    const grants = await deps.grants.listByUser(deps.db, userId, {
      limit,
      ...(typeof campaignId === 'string' ? { campaignId } : {}),
    });
    res.json({
      userId,
      grants: grants.map((g) => ({
        id: g.id,
        campaignId: g.campaignId,
        campaignVersion: g.campaignVersion,
        rewardId: g.rewardId,
        type: g.rewardType,
        amount: g.amount,
        charge: g.charge,
        currency: g.currency,
        businessDate: g.businessDate,
        status: g.status,
        test: g.test,
        createdAt: g.createdAt.toISOString(),
      })),
    });
  });
  return router;
}
