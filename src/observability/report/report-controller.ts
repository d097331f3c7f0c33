/** GET /admin/campaigns/{id}/report?from=&to= (scope read): the campaign report as JSON. */
import { Router, type Request, type RequestHandler } from 'express';
import { ValidationError, type FieldError } from '../../errors/app-error';
import { checkCampaignId } from '../../http/campaign-id';
import type { AdminScope } from '../../protection/api-token';
import type { ReportService } from './report-service';
import { DATE_TIME_HINT, parseDateTime } from '../../shared/date-time';

/** Parses an ISO 8601 time from a query or option; null when absent. */
export function parseReportTime(value: unknown, name: string, fields: FieldError[]): Date | null {
  if (value === undefined || value === '') return null;
  const at = typeof value === 'string' ? parseDateTime(value) : null;
  if (!at) fields.push({ path: name, message: DATE_TIME_HINT });
  return at;
}

function readQuery(req: Request): { campaignId: string; from: Date | null; to: Date | null } {
  const fields: FieldError[] = [];
  const campaignId = String(req.params['id'] ?? '');
  checkCampaignId(campaignId, 'id', fields);
  const from = parseReportTime(req.query['from'], 'from', fields);
  const to = parseReportTime(req.query['to'], 'to', fields);
  if (fields.length > 0) throw new ValidationError('invalid request', fields);
  return { campaignId, from, to };
}

export function reportRouter(deps: {
  reports: ReportService;
  requireScope: (scope: AdminScope) => RequestHandler;
}): Router {
  const router = Router();
  router.get('/campaigns/:id/report', deps.requireScope('read'), async (req, res) => {
    const { campaignId, from, to } = readQuery(req);
    res.set('Cache-Control', 'no-store');
    res.json(await deps.reports.report(campaignId, { from, to }));
  });
  return router;
}
