/**
 * POST /admin/publish trusts nothing it receives: the body goes through the same schema, rule and campaign
 * checks and the same resolve step as the YAML files, the fingerprint is computed by the service, and field
 * errors name the path inside the body. Bodies may exceed the 8 KB participation limit.
 */
import request from 'supertest';
import * as compiledCampaignCache from '../../../src/rules/compiled-campaign-cache';
import { RuleCompilationError } from '../../../src/rules/rule-compilation-error';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  createDefinitionsRepo,
  type DefinitionsRepo,
  closePublishingPocket,
  publishingPocket,
} from './publishing-fixtures';

type Body = { definition: Record<string, unknown>; rules: Record<string, unknown> };

describeEachBackend('POST /admin/publish validation', (backend) => {
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let pocket: Pocket;
  let token: string;
  let body: () => Body;

  beforeAll(async () => {
    backends = await createBackends(backend);
    repo = createDefinitionsRepo();
    pocket = await publishingPocket(backends, repo);
    token = (await pocket.tokens.create(['publish', 'read'])).token;
    const [resolved] = await repo.resolved();
    const canonical = resolved?.canonical ?? '';
    body = () => JSON.parse(canonical) as Body;
  });
  afterAll(() => closePublishingPocket(pocket, backends, repo));

  const post = (path: string, payload: unknown) =>
    request(pocket.app)
      .post(path)
      .set('Authorization', `Bearer ${token}`)
      .send(payload as object);
  const fieldsOf = (res: request.Response) =>
    (res.body as { error: { fields?: Array<{ path: string; message: string }> } }).error.fields ?? [];

  it('refuses a definition the schema or the campaign checks refuse, naming the path, and writes nothing', async () => {
    const bad = body();
    (bad.definition['rewards'] as Array<Record<string, unknown>>)[0]!['stock'] = -1;
    bad.definition['decision'] = { strategy: 'weighted', fallback: 'nope' };
    const res = await post('/admin/publish', { campaigns: [bad] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_definition' } });
    expect(fieldsOf(res).map((f) => f.path)).toEqual(['campaigns[0].definition.rewards[0].stock']);

    const unknownFallback = body();
    unknownFallback.definition['decision'] = { strategy: 'weighted', fallback: 'nope' };
    const second = await post('/admin/publish', { campaigns: [unknownFallback] });
    expect(second.status).toBe(400);
    expect(fieldsOf(second)).toEqual([
      {
        path: 'campaigns[0].definition.decision.fallback',
        message: expect.stringMatching(/^fallback "nope" is not a reward/),
      },
    ]);
    expect(await backends.ledger.db('campaign_versions').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  // README: every 400 lists all of a request's problems at once; a publish of two broken campaigns named the first.
  it('names the problems of every campaign of a publish at once', async () => {
    const first = body();
    (first.definition['rewards'] as Array<Record<string, unknown>>)[0]!['stock'] = -1;
    const second = body();
    second.definition['id'] = 'another-campaign';
    second.definition['decision'] = { strategy: 'weighted', fallback: 'nope' };
    const res = await post('/admin/publish', { campaigns: [first, second] });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_definition']);
    expect(fieldsOf(res).map((f) => f.path)).toEqual([
      'campaigns[0].definition.rewards[0].stock',
      'campaigns[1].definition.decision.fallback',
    ]);
    const shape = await post('/admin/publish', { campaigns: [first, 'not a campaign'] });
    expect([shape.status, shape.body.error.code]).toEqual([400, 'invalid_request']);
    expect(fieldsOf(shape).map((f) => f.path)).toEqual([
      'campaigns[0].definition.rewards[0].stock',
      'campaigns[1]',
    ]);
    expect(await backends.ledger.db('campaign_versions').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('refuses a segment whose rule is not sent, and a rule that fails its checks', async () => {
    const missing = body();
    (missing.definition['segments'] as Array<Record<string, unknown>>)[0]!['when'] = 'vip';
    const res = await post('/admin/publish', { campaigns: [missing] });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)[0]?.path).toBe('campaigns[0].definition.segments[0].when');

    const badRule = body();
    (badRule.definition['segments'] as Array<Record<string, unknown>>)[0]!['when'] = 'vip';
    badRule.rules['vip'] = {
      id: 'vip',
      conditions: { all: [{ fact: 'profile', path: '$..x', operator: 'equal', value: 1 }] },
    };
    const second = await post('/admin/publish', { campaigns: [badRule] });
    expect(second.status).toBe(400);
    expect(fieldsOf(second)[0]?.path).toMatch(/^campaigns\[0\]\.rules\.vip\.conditions\.all\[0\]/);

    // A history path naming a reward this campaign does not have: checked against the campaign, as validate does.
    const otherReward = body();
    (otherReward.definition['segments'] as Array<Record<string, unknown>>)[0]!['when'] = 'vip';
    otherReward.rules['vip'] = {
      id: 'vip',
      conditions: { all: [{ fact: 'history', path: 'rewards.nope', operator: 'equal', value: 0 }] },
    };
    const third = await post('/admin/publish', { campaigns: [otherReward] });
    expect([third.status, fieldsOf(third)]).toEqual([
      400,
      [
        {
          path: 'campaigns[0].rules.vip.conditions.all[0].path',
          message: expect.stringMatching(/^reward "nope" is not a reward of campaign/),
        },
      ],
    ]);
  });

  it('refuses a rule nested too deeply with a 400 naming where, not a 500 from a stack overflow', async () => {
    // 1,200 nested `not`s: well inside the 1 MB body and the parser's own depth, but ajv's validators recurse once
    // per level and overflowed the stack, answering 500 internal_error.
    let condition: unknown = { fact: 'profile', path: 'age', operator: 'equal', value: 1 };
    for (let i = 0; i < 1200; i++) condition = { not: condition };
    const deep = body();
    (deep.definition['segments'] as Array<Record<string, unknown>>)[0]!['when'] = 'vip';
    deep.rules['vip'] = { id: 'vip', conditions: { all: [condition] } };
    const res = await post('/admin/publish', { campaigns: [deep] });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_definition']);
    expect(fieldsOf(res)).toEqual([
      {
        path: expect.stringMatching(/^campaigns\[0\]\.rules\.vip\.conditions\.all\[0\](\.not)+$/),
        message: 'is nested too deeply: at most 64 levels of maps and lists',
      },
    ]);
    expect(await backends.ledger.db('campaign_versions').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('a campaign the compile step refuses is a 400 invalid_definition whose fields name where', async () => {
    // The checks above refuse all that compileCampaign is known to refuse; this stands in for one they miss.
    const compile = jest.spyOn(compiledCampaignCache, 'getCompiledCampaign');
    try {
      compile.mockImplementationOnce(() => {
        throw new RuleCompilationError('vip', 'all[0]', 'unknown operator "x"');
      });
      const rule = await post('/admin/publish', { campaigns: [body()] });
      expect([rule.status, rule.body.error.code]).toEqual([400, 'invalid_definition']);
      expect(fieldsOf(rule)).toEqual([
        { path: 'campaigns[0].rules.vip.conditions.all[0]', message: 'unknown operator "x"' },
      ]);
      compile.mockImplementationOnce(() => {
        throw new Error('no engine');
      });
      const other = await post(`/admin/campaigns/${CAMPAIGN}/publish`, { campaign: body() });
      expect([other.status, other.body.error.code]).toEqual([400, 'invalid_definition']);
      expect(fieldsOf(other)).toEqual([{ path: 'campaign', message: 'does not compile: no engine' }]);
    } finally {
      compile.mockRestore();
    }
    expect(await backends.ledger.db('campaign_versions').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('names the second of a campaign given twice', async () => {
    const res = await post('/admin/publish', { campaigns: [body(), body()] });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    expect(fieldsOf(res)).toEqual([
      {
        path: 'campaigns[1].definition.id',
        message: `campaign "${CAMPAIGN}" is given twice (first as campaigns[0])`,
      },
    ]);
  });

  it('refuses a malformed body and a campaign that is not the one in the path', async () => {
    expect((await post('/admin/publish', { campaigns: [] })).status).toBe(400);
    expect((await post('/admin/publish', { campaigns: [{ definition: {} }] })).status).toBe(400);
    expect((await post('/admin/publish', { campaigns: [body()], force: 'yes' })).status).toBe(400);
    const other = await post('/admin/campaigns/other-campaign/publish', { campaign: body() });
    expect(other.status).toBe(400);
    expect(fieldsOf(other)[0]?.path).toBe('campaign.definition.id');
    // Field paths name this endpoint's own field, `campaign`, and a missing one is called missing.
    const missing = await post(`/admin/campaigns/${CAMPAIGN}/publish`, {});
    expect(fieldsOf(missing)).toEqual([{ path: 'campaign', message: 'is required: { definition, rules }' }]);
    const thin = await post(`/admin/campaigns/${CAMPAIGN}/publish`, {
      campaign: { definition: { id: CAMPAIGN } },
    });
    expect(thin.status).toBe(400);
    expect(fieldsOf(thin).length).toBeGreaterThan(0);
    for (const f of fieldsOf(thin)) expect(f.path).toMatch(/^campaign(\.|$)/);
  });

  it('refuses an unknown field (a typo must not be ignored) and a body that is not an object; nothing is published', async () => {
    const typo = await post('/admin/publish', { campaigns: [body()], forse: true });
    expect(typo.status).toBe(400);
    expect(fieldsOf(typo)).toEqual([
      { path: 'forse', message: 'unknown field; expected campaigns, note, author, gitCommit, force' },
    ]);
    const array = await post(`/admin/campaigns/${CAMPAIGN}/rollback`, [1]);
    expect(array.status).toBe(400);
    expect(fieldsOf(array)[0]).toEqual({ path: '(body)', message: 'must be a JSON object' });
    const reason = await post(`/admin/campaigns/${CAMPAIGN}/rollback`, { to: 1, reason: 'typo for note' });
    expect(fieldsOf(reason).map((f) => f.path)).toEqual(['reason']);
    const versions = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/versions`)
      .set('authorization', `Bearer ${token}`);
    expect(versions.status).toBe(404);
    expect(versions.body).toMatchObject({ error: { code: 'campaign_not_found' } });
  });

  it('publishes a valid body larger than 8 KB, with a fingerprint computed by the service', async () => {
    const big = body();
    big.definition['testers'] = Array.from({ length: 200 }, (_, i) => ({
      userId: `qa-${i}`,
      profile: { n: i },
    }));
    // Rules no segment references are dropped by the resolve step, as they are when publishing from files.
    big.rules['unused'] = {
      id: 'unused',
      conditions: { all: [{ fact: 'profile', path: 'x', operator: 'equal', value: 1 }] },
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(8 * 1024);
    const res = await post(`/admin/campaigns/${CAMPAIGN}/publish`, { campaign: big, note: 'testers' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ results: [{ campaignId: CAMPAIGN, status: 'published', version: 1 }] });
    const active = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/versions/active`)
      .set('Authorization', `Bearer ${token}`);
    expect(active.status).toBe(200);
    const stored = JSON.parse((active.body as { body: string }).body) as Body;
    expect(Object.keys(stored.rules)).toEqual([]);
    expect((stored.definition['testers'] as unknown[]).length).toBe(200);
    expect(pocket.registry.get(CAMPAIGN)?.testers.size).toBe(200);
  });
});
