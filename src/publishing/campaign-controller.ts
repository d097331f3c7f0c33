/**
 * GET /v1/campaigns and /v1/campaigns/{id}: the public view, with whether each reward can still be had: stock and
 * budget left (from the ledger). An id that cannot be a campaign's is a 400, as on every other campaign path; a
 * well-formed unknown one is a 404.
 */
import { Router } from 'express';
import { NotFoundError, ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { SharedReads } from '../shared/shared-reads';
import { campaignView, type ViewUsage } from './campaign-view';
import type { LiveRegistry } from './live-registry';

/** Stock and budget use is read from the ledger at most once a second per campaign: this page is hit hard in a sale. */
const USAGE_TTL_MS = 1000;

export function campaignRouter(deps: {
  db: Db;
  grants: GrantStore;
  registry: LiveRegistry;
  clock: () => Date;
}): Router {
  // One read per campaign at a time, kept for USAGE_TTL_MS once answered: the views that come while it runs share
  // it. Before, each of them sent its own aggregate over the campaign's grants until one had answered.
  const usage = new SharedReads<ViewUsage>(USAGE_TTL_MS);
  const usageOf = (campaignId: string): Promise<ViewUsage> =>
    usage.get(campaignId, () => deps.grants.usage(deps.db, campaignId));
  const router = Router();
  router.get('/v1/campaigns', async (_req, res) => {
    const now = deps.clock();
    const snapshots = deps.registry.list().filter((s) => s.definition.status !== 'draft');
    const views = await Promise.all(
      snapshots.map(async (s) => campaignView(s, await usageOf(s.campaignId), now)),
    );
    res.json({ campaigns: views.sort((a, b) => a.id.localeCompare(b.id)) });
  });
  router.get('/v1/campaigns/:id', async (req, res) => {
    const fields: FieldError[] = [];
    checkCampaignId(req.params['id'], 'id', fields);
    if (fields.length > 0) throw new ValidationError('invalid request', fields);
    const snapshot = deps.registry.get(String(req.params['id']));
    if (!snapshot || snapshot.definition.status === 'draft') {
      throw new NotFoundError('campaign_not_found', `campaign "${String(req.params['id'])}" does not exist`);
    }
    res.json(campaignView(snapshot, await usageOf(snapshot.campaignId), deps.clock()));
  });
  return router;
}
