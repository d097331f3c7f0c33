/**
 * The publishing lifecycle under /admin (paths here are relative to it; the admin router authenticates):
 * publish and rollback need the `publish` scope, pause and resume `operate`, reads `read`. The audit actor
 * is the admin token; the author the CLI names is kept beside it.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import { NotFoundError, ValidationError, type FieldError } from '../errors/app-error';
import { checkCampaignId } from '../http/campaign-id';
import { jsonObjectBody } from '../http/json-body-parser';
import { integerQuery } from '../http/query-params';
import type { AdminScope } from '../protection/api-token';
import type { LedgerLifecycle } from './ledger-lifecycle';
import { changeTextLength, MAX_CHANGE_TEXT } from './lifecycle';
import { resolvePublishedCampaign } from './published-campaign';

const MAX_CAMPAIGNS = 100;
/**
 * The body of a POST here, read after the route's scope: a token without it gets its 403 before any byte is
 * parsed. Whole resolved campaigns (publish): up to 1 MB, with the service's strict parsing.
 */
const jsonBody = jsonObjectBody('1mb');

export interface PublishingAdminDeps {
  lifecycle: LedgerLifecycle;
  requireScope: (scope: AdminScope) => RequestHandler;
  /** Who the request acts as, e.g. `token:<id>`. */
  actorOf: (res: Response) => string;
}

/**
 * A request body read field by field; done() refuses it when a field was invalid or when it holds a field
 * nothing read (a typo such as "forse" must not be ignored on a publish).
 */
class Body {
  readonly fields: FieldError[] = [];
  private readonly body: Record<string, unknown>;
  private readonly read = new Set<string>();

  constructor(req: Request) {
    const body: unknown = req.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      this.fields.push({ path: '(body)', message: 'must be a JSON object' });
      this.body = {};
    } else {
      this.body = body as Record<string, unknown>;
    }
  }

  private field(name: string): unknown {
    this.read.add(name);
    return this.body[name];
  }

  text(name: string): string | null {
    const value = this.field(name);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || changeTextLength(value) > MAX_CHANGE_TEXT) {
      this.fields.push({ path: name, message: `must be a string of at most ${MAX_CHANGE_TEXT} characters` });
      return null;
    }
    // No PostgreSQL text value holds a NUL: a publish's note, author or gitCommit with one was its 500.
    if (value.includes('\u0000')) {
      this.fields.push({ path: name, message: 'must not hold the NUL character (\\u0000)' });
      return null;
    }
    return value;
  }

  flag(name: string): boolean {
    const value = this.field(name);
    if (value === undefined) return false;
    if (typeof value !== 'boolean') this.fields.push({ path: name, message: 'must be a boolean' });
    return value === true;
  }

  version(name: string): number {
    const value = this.field(name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      this.fields.push({ path: name, message: 'must be a version number (an integer ≥ 1)' });
      return 0;
    }
    return value;
  }

  raw(name: string): unknown {
    return this.field(name);
  }

  done(): void {
    const expected = [...this.read].join(', ');
    for (const name of Object.keys(this.body)) {
      if (!this.read.has(name))
        this.fields.push({ path: name, message: `unknown field; expected ${expected}` });
    }
    if (this.fields.length > 0) throw new ValidationError('invalid request', this.fields);
  }
}

function campaignId(req: Request): string {
  const id = String(req.params['id'] ?? '');
  const fields: FieldError[] = [];
  checkCampaignId(id, 'id', fields);
  if (fields.length > 0) throw new ValidationError('invalid request', fields);
  return id;
}

function changeOptions(body: Body): { note: string | null; author: string | null } {
  return { note: body.text('note'), author: body.text('author') };
}

/**
 * Every campaign of a publish resolved, or one 400 naming the problems of all of them (a request with two broken
 * campaigns named only the first, so its author fixed and sent it twice).
 */
function resolveAll(campaigns: unknown[], at: (i: number) => string): ResolvedCampaign[] {
  const resolved: ResolvedCampaign[] = [];
  const refused: ValidationError[] = [];
  campaigns.forEach((c, i) => {
    try {
      resolved.push(resolvePublishedCampaign(c, at(i)));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      refused.push(error);
    }
  });
  const [first] = refused;
  if (!first) return resolved;
  if (refused.length === 1) throw first;
  const fields = refused.flatMap((e) => (e.details['fields'] as FieldError[] | undefined) ?? []);
  // invalid_request when one of them is not even a { definition, rules } object, else invalid_definition.
  const code = refused.some((e) => e.code === 'invalid_request') ? 'invalid_request' : 'invalid_definition';
  throw new ValidationError(`${refused.length} campaigns are invalid`, fields, code);
}

export function publishingAdminRouter(deps: PublishingAdminDeps): Router {
  const router = Router();
  const lifecycle = (res: Response): LedgerLifecycle => deps.lifecycle.as(deps.actorOf(res));

  /** `at(i)`: where campaign i sits in the request body, for field errors. */
  const publish = async (
    body: Body,
    res: Response,
    campaigns: unknown[],
    at: (i: number) => string,
  ): Promise<void> => {
    const options = {
      ...changeOptions(body),
      gitCommit: body.text('gitCommit'),
      force: body.flag('force'),
    };
    body.done();
    const resolved = resolveAll(campaigns, at);
    const ids = resolved.map((c) => c.definition.id);
    const twice: FieldError[] = ids.flatMap((id, i) => {
      const first = ids.indexOf(id);
      const message = `campaign "${id}" is given twice (first as ${at(first)})`;
      return first === i ? [] : [{ path: `${at(i)}.definition.id`, message }];
    });
    if (twice.length > 0) throw new ValidationError('a campaign is given twice', twice);
    res.json({ results: await lifecycle(res).publish(resolved, options) });
  };

  router.post('/publish', deps.requireScope('publish'), ...jsonBody, async (req, res) => {
    const body = new Body(req);
    const campaigns = body.raw('campaigns');
    if (!Array.isArray(campaigns) || campaigns.length === 0 || campaigns.length > MAX_CAMPAIGNS) {
      throw new ValidationError('invalid request', [
        { path: 'campaigns', message: `must be an array of 1 to ${MAX_CAMPAIGNS} { definition, rules }` },
      ]);
    }
    await publish(body, res, campaigns, (i) => `campaigns[${i}]`);
  });

  router.post('/campaigns/:id/publish', deps.requireScope('publish'), ...jsonBody, async (req, res) => {
    const id = campaignId(req);
    const body = new Body(req);
    const campaign = body.raw('campaign');
    if (typeof campaign !== 'object' || campaign === null || Array.isArray(campaign)) {
      throw new ValidationError('invalid request', [
        { path: 'campaign', message: 'is required: { definition, rules }' },
      ]);
    }
    const definitionId = (campaign as { definition?: { id?: unknown } }).definition?.id;
    if (definitionId !== undefined && definitionId !== id) {
      throw new ValidationError('invalid request', [
        { path: 'campaign.definition.id', message: `must equal the campaign in the path ("${id}")` },
      ]);
    }
    await publish(body, res, [campaign], () => 'campaign');
  });

  router.get('/campaigns/:id/versions', deps.requireScope('read'), async (req, res) => {
    res.json(await deps.lifecycle.versions(campaignId(req)));
  });

  router.get('/campaigns/:id/versions/active', deps.requireScope('read'), async (req, res) => {
    const id = campaignId(req);
    const active = await deps.lifecycle.activeVersion(id);
    if (!active) throw new NotFoundError('campaign_not_found', `campaign "${id}" was never published`);
    res.json(active);
  });

  router.post('/campaigns/:id/rollback', deps.requireScope('publish'), ...jsonBody, async (req, res) => {
    const id = campaignId(req);
    const body = new Body(req);
    const to = body.version('to');
    const options = { ...changeOptions(body), force: body.flag('force') };
    body.done();
    res.json(await lifecycle(res).rollback(id, to, options));
  });

  for (const action of ['pause', 'resume'] as const) {
    router.post(`/campaigns/:id/${action}`, deps.requireScope('operate'), ...jsonBody, async (req, res) => {
      const id = campaignId(req);
      const body = new Body(req);
      const options = changeOptions(body);
      body.done();
      res.json(await lifecycle(res)[action](id, options));
    });
  }

  router.get('/audit', deps.requireScope('read'), async (req, res) => {
    const campaign = req.query['campaign'];
    const limit = integerQuery(req.query['limit'], 100);
    const fields: FieldError[] = [];
    if (campaign !== undefined) checkCampaignId(campaign, 'campaign', fields);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) {
      fields.push({ path: 'limit', message: 'must be an integer from 1 to 10000' });
    }
    if (fields.length > 0) throw new ValidationError('invalid request', fields);
    const entries = await deps.lifecycle.audit({
      ...(typeof campaign === 'string' ? { campaignId: campaign } : {}),
      limit,
    });
    res.json({ entries });
  });

  return router;
}
