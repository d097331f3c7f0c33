/**
 * GET /v1/users/{userId}/grants: that user's grants, newest first (client rules apply, DESIGN.md), a page at a
 * time: `nextCursor` names where the page ended, `before=<nextCursor>` asks for the next one.
 */
import { Router } from 'express';
import { ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import { integerQuery } from '../http/query-params';
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { USER_ID, USER_ID_RULE } from '../shared/user-id';
import { decodeGrantCursor, encodeGrantCursor } from './grants-cursor';

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
        message: `must be ${USER_ID_RULE}`,
      });
    if (campaignId !== undefined) checkCampaignId(campaignId, 'campaign', fields);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      fields.push({ path: 'limit', message: 'must be an integer from 1 to 200' });
    const cursor = req.query['before'];
    const before = typeof cursor === 'string' ? decodeGrantCursor(cursor) : null;
    if (cursor !== undefined && before === null)
      fields.push({ path: 'before', message: 'must be the nextCursor of an earlier page' });
    if (fields.length > 0) throw new ValidationError('invalid request', fields);
    // One more than the page: whether another page follows, without a count.
    const found = await deps.grants.listByUser(deps.db, userId, {
      limit: limit + 1,
      ...(typeof campaignId === 'string' ? { campaignId } : {}),
      ...(before ? { before } : {}),
    });
    const grants = found.slice(0, limit);
    const last = grants[grants.length - 1];
    // A user's own data: no shared cache may keep it, and the client revalidates (ETag) before reusing it.
    res.set('Cache-Control', 'private, no-cache');
    res.json({
      userId,
      nextCursor: found.length > limit && last ? encodeGrantCursor(last) : null,
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
