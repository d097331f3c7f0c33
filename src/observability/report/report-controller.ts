/** GET /admin/campaigns/{id}/report?from=&to= (scope read): the campaign report as JSON. */
import { Router, type Request, type RequestHandler } from 'express';
import { ValidationError, type FieldError } from '../../errors/app-error';
import { checkCampaignId } from '../../http/campaign-id';
import type { AdminScope } from '../../protection/api-token';
import type { ReportService } from './report-service';
import { dateTimeProblem, DATE_TIME_HINT, parseDateTime, queryDateTimeProblem } from '../../shared/date-time';

/**
 * The times a report range may name. Outside them a timeline point, which starts on the campaign zone's local
 * day, could fall before year 0 or after 9999, which no RFC 3339 date-time can write; and no ledger holds a grant
 * there: such a time is a typo (0205 for 2025), answered as one.
 */
const REPORT_TIMES = { from: Date.parse('1970-01-01T00:00:00Z'), to: Date.parse('9999-01-01T00:00:00Z') };

/** Parses an ISO 8601 time from a query or option; null when absent. */
export function parseReportTime(value: unknown, name: string, fields: FieldError[]): Date | null {
  if (value === undefined || value === '') return null;
  const at = typeof value === 'string' ? parseDateTime(value) : null;
  if (!at) {
    fields.push({
      path: name,
      message: typeof value === 'string' ? dateTimeProblem(value) : DATE_TIME_HINT,
    });
    return null;
  }
  if (at.getTime() < REPORT_TIMES.from || at.getTime() >= REPORT_TIMES.to) {
    fields.push({ path: name, message: 'must be from 1970-01-01T00:00:00Z and before 9999-01-01T00:00:00Z' });
    return null;
  }
  return at;
}

/** A query time; one whose offset lost its `+` is refused with the reason, not the bare format hint. */
function queryTime(req: Request, name: string, fields: FieldError[]): Date | null {
  const value = req.query[name];
  if (typeof value === 'string' && value !== '' && !parseDateTime(value)) {
    fields.push({ path: name, message: queryDateTimeProblem(value) });
    return null;
  }
  return parseReportTime(value, name, fields);
}

function readQuery(req: Request): { campaignId: string; from: Date | null; to: Date | null } {
  const fields: FieldError[] = [];
  const campaignId = String(req.params['id'] ?? '');
  checkCampaignId(campaignId, 'id', fields);
  const from = queryTime(req, 'from', fields);
  const to = queryTime(req, 'to', fields);
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
