/**
 * The campaign report from the ledger on both backends: the funnel, outcomes, grants and spend by segment and
 * reward, budget and stock against plan, delivery, reconciliation, timeline and testers — through the service,
 * `GET /admin/campaigns/{id}/report` (scope read) and the time range.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { KnexCampaignVersionStore } from '../../../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexReportReads } from '../../../src/observability/report/knex-report-reads';
import { ReportService } from '../../../src/observability/report/report-service';
import { KnexDiscrepancyStore } from '../../../src/reconciliation/knex-discrepancy-store';
import { KnexReconcileRunStore } from '../../../src/reconciliation/knex-reconcile-run-store';
import type { CampaignReport } from '../../../src/observability/report/campaign-report';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, removeDir, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  driveTraffic,
  MovingClock,
  participate,
  reportPocket,
  START,
  writeReportDefinitions,
  reportYaml,
  type Traffic,
} from './observability-fixtures';

describeEachBackend('campaign report', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  let traffic: Traffic;
  const clock = new MovingClock();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    root = writeReportDefinitions();
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, clock);
    traffic = await driveTraffic(pocket, clock);
    // Two of the grants reach their issuer; one open discrepancy and one repaired one.
    const grants = (await backends.ledger
      .db('grants')
      .where({ campaign_id: CAMPAIGN, test: false })
      .orderBy('id')) as Array<{ id: string }>;
    const store = new KnexGrantStore();
    for (const g of grants.slice(0, 2))
      await store.setStatus(backends.ledger.db, g.id, 'delivered', clock.now());
    const discrepancies = new KnexDiscrepancyStore();
    await discrepancies.record(backends.ledger.db, {
      runId: null,
      kind: 'missing_downstream',
      campaignId: CAMPAIGN,
      grantId: grants[2]?.id ?? null,
      details: {},
      status: 'open',
      createdAt: clock.now(),
    });
    await discrepancies.record(backends.ledger.db, {
      runId: null,
      kind: 'counter_drift',
      campaignId: CAMPAIGN,
      grantId: null,
      details: {},
      status: 'resolved',
      resolution: 'rebuilt',
      createdAt: clock.now(),
    });
    const runs = new KnexReconcileRunStore();
    const run = { kind: 'realtime' as const, campaignId: null, windowSince: null, windowUntil: null };
    await runs.start(backends.ledger.db, { ...run, id: 'run-old', startedAt: START });
    await runs.finish(backends.ledger.db, 'run-old', { status: 'failed', finishedAt: START, summary: null });
    await runs.start(backends.ledger.db, { ...run, id: 'run-new', startedAt: clock.now() });
    await runs.finish(backends.ledger.db, 'run-new', { status: 'ok', finishedAt: clock.now(), summary: {} });
    for (const scope of ['read', 'operate'] as const)
      tokens[scope] = (await pocket.tokens.create([scope], `report-${scope}`)).token;
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it('counts the funnel, outcomes, refusals, segments and rewards exactly', async () => {
    const report = await pocket.reports.report(CAMPAIGN);
    const { participations, eligible, granted } = traffic.expected;
    expect(report.funnel).toEqual({ participations, eligible, granted, delivered: 2 });
    expect(report.outcomes).toEqual(traffic.expected.outcomes);
    expect(report.refusals).toEqual([
      { reason: 'not_eligible', count: 2 },
      { reason: 'out_of_stock', count: 2 },
      { reason: 'limit_reached', count: 1 },
    ]);
    expect(report.bySegment).toEqual([
      { segmentId: 'vips', grants: 3, spend: 300, amount: 300 },
      { segmentId: 'members', grants: 4, spend: 200, amount: 600 },
    ]);
    expect(report.byReward).toEqual([
      { rewardId: 'rp-vip', type: 'red_packet', grants: 3, spend: 300, amount: 300 },
      { rewardId: 'cp', type: 'coupon', grants: 4, spend: 200, amount: 600 },
    ]);
    expect(report.testers).toEqual({ participations: 1, grants: 1 });
  });

  it('gives budget and stock against plan, delivery and reconciliation status', async () => {
    const report = await pocket.reports.report(CAMPAIGN);
    expect(report.campaign).toMatchObject({
      version: 1,
      paused: false,
      currency: 'CNY',
      timezone: 'Asia/Shanghai',
    });
    expect(report.budget).toEqual({
      currency: 'CNY',
      minorDigits: 2,
      total: { plan: 10000, used: 500, remaining: 9500, overspent: 0, usedRatio: 0.05 },
      today: { plan: 5000, used: 500, remaining: 4500, overspent: 0, usedRatio: 0.1, date: '2026-11-11' },
      byDate: [{ date: '2026-11-11', used: 500 }],
    });
    expect(report.stock).toEqual([
      { rewardId: 'rp-vip', plan: 3, used: 3, remaining: 0, overgranted: 0 },
      { rewardId: 'cp', plan: 100, used: 4, remaining: 96, overgranted: 0 },
    ]);
    expect(report.delivery).toMatchObject({
      byStatus: { delivered: 2, pending: 5 },
      // The outbox is the relay's: all 7 real grants and the tester's (the test marked two delivered by hand).
      backlog: 8,
      dead: 0,
    });
    expect(report.delivery.lagSeconds).toBe(600);
    // The spend split by delivery status adds up to the spend, to the minor unit (no void in this ledger).
    const spends = Object.values(report.delivery.spendByStatus);
    expect(Object.keys(report.delivery.spendByStatus).sort()).toEqual(['delivered', 'pending']);
    expect(spends.reduce((a: number, b) => a + Number(b), 0)).toBe(report.budget.total?.used);
    expect(report.reconciliation).toMatchObject({
      state: 'discrepancies',
      openDiscrepancies: 1,
      openByKind: { missing_downstream: 1 },
      resolvedInRange: 1,
      lastRealtime: {
        status: 'ok',
        startedAt: clock.now().toISOString(),
        finishedAt: clock.now().toISOString(),
      },
      lastOffline: null,
    });
  });

  it('draws the timeline in minute buckets that add up to the funnel', async () => {
    const { timeline } = await pocket.reports.report(CAMPAIGN);
    expect(timeline.bucketSeconds).toBe(60);
    expect(timeline.points).toHaveLength(11);
    expect(timeline.points[0]).toEqual({ at: START.toISOString(), participations: 5, grants: 4, spend: 300 });
    expect(timeline.points[10]).toEqual({
      at: new Date(START.getTime() + 600_000).toISOString(),
      participations: 7,
      grants: 3,
      spend: 200,
    });
    expect(timeline.points.slice(1, 10).every((p) => p.participations === 0)).toBe(true);
  });

  it('starts hour buckets on the campaign’s local hours, not on UTC ones', async () => {
    // Ten days asked for: 3-hour points, which in Asia/Shanghai start at 00:00, 03:00, … local (16:00, 19:00 UTC).
    const { timeline, funnel } = await pocket.reports.report(CAMPAIGN, {
      from: new Date('2026-11-01T00:00:00+08:00'),
    });
    expect(timeline.bucketSeconds).toBe(3 * 3600);
    expect(timeline.points.every((p) => (new Date(p.at).getUTCHours() + 8) % 3 === 0)).toBe(true);
    // All of the traffic (10:00–10:10 local on 11-11) is in the 09:00–12:00 local point.
    const busy = timeline.points.filter((p) => p.participations > 0);
    expect(busy).toEqual([
      expect.objectContaining({ at: '2026-11-11T01:00:00.000Z', participations: funnel.participations }),
    ]);
  });

  it('counts only the range asked for, while budget and stock stay all-time', async () => {
    const late = await pocket.reports.report(CAMPAIGN, { from: new Date(START.getTime() + 60_000) });
    expect(late.funnel).toEqual({
      participations: 7,
      eligible: 6,
      granted: 3,
      delivered: expect.any(Number),
    });
    expect(late.budget.total?.used).toBe(500);
    const none = await pocket.reports.report(CAMPAIGN, { to: START });
    expect([none.funnel.participations, none.timeline.points, none.bySegment]).toEqual([0, [], []]);
    await expect(pocket.reports.report(CAMPAIGN, { from: START, to: START })).rejects.toThrow(
      /invalid request/,
    );
    await expect(pocket.reports.report('never-published')).rejects.toThrow(/was never published/);
  });

  it('GET /admin/campaigns/{id}/report serves the same report, with scope read', async () => {
    const res = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report?from=${encodeURIComponent('2026-11-11T10:01:00+08:00')}`)
      .set('Authorization', `Bearer ${tokens['read'] ?? ''}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body as CampaignReport;
    const direct = await pocket.reports.report(CAMPAIGN, { from: new Date('2026-11-11T10:01:00+08:00') });
    expect({ ...body, generatedAt: null }).toEqual({ ...direct, generatedAt: null });
    const bad = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report?from=yesterday`)
      .set('Authorization', `Bearer ${tokens['read'] ?? ''}`);
    expect([bad.status, (bad.body as { error: { fields: unknown } }).error.fields]).toEqual([
      400,
      [{ path: 'from', message: expect.stringMatching(/ISO 8601/) }],
    ]);
    // OpenAPI's date-time: a date alone or a time without an offset is refused, not read in the server's zone.
    const loose = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report?from=2026-11-11&to=2026-11-12T00:00:00`)
      .set('Authorization', `Bearer ${tokens['read'] ?? ''}`);
    expect([loose.status, (loose.body as { error: { fields: unknown } }).error.fields]).toEqual([
      400,
      [
        { path: 'from', message: expect.stringMatching(/with its offset/) },
        { path: 'to', message: expect.stringMatching(/with its offset/) },
      ],
    ]);
    // The README's own example, pasted into a URL unencoded: its + arrives as a space, and the answer says so.
    const pasted = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report?from=2026-11-11T10:01:00+08:00`)
      .set('Authorization', `Bearer ${tokens['read'] ?? ''}`);
    expect([pasted.status, (pasted.body as { error: { fields: unknown } }).error.fields]).toEqual([
      400,
      [
        {
          path: 'from',
          message:
            "has a space where its offset's + should be: a + in a query string reads as a space, send it as %2B (2026-11-11T10:01:00%2B08:00)",
        },
      ],
    ]);
    const scope = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report`)
      .set('Authorization', `Bearer ${tokens['operate'] ?? ''}`);
    const anonymous = await request(pocket.app).get(`/admin/campaigns/${CAMPAIGN}/report`);
    const unknown = await request(pocket.app)
      .get('/admin/campaigns/never-published/report')
      .set('Authorization', `Bearer ${tokens['read'] ?? ''}`);
    expect([scope.status, anonymous.status, unknown.status]).toEqual([403, 401, 404]);
  });

  // A grant committed while the report is being read: on PostgreSQL every figure counts it or none does.
  if (backend === 'postgres+redis') {
    it('reads one snapshot, so a grant committed between two reads cannot make the figures disagree', async () => {
      const reads = new KnexReportReads();
      const racing = Object.create(reads) as KnexReportReads;
      let committed = false;
      racing.timeline = async (...args: Parameters<KnexReportReads['timeline']>) => {
        if (!committed) {
          committed = true;
          const res = await participate(pocket, 'member-race');
          expect(res.status).toBe(201);
        }
        return reads.timeline(...args);
      };
      const service = new ReportService({
        db: backends.ledger.db,
        versions: new KnexCampaignVersionStore(),
        grants: new KnexGrantStore(),
        reads: racing,
        clock: clock.now,
      });
      const report = await service.report(CAMPAIGN);
      const timelineSpend = report.timeline.points.reduce((n, p) => n + Number(p.spend), 0);
      const timelineGrants = report.timeline.points.reduce((n, p) => n + p.grants, 0);
      const grants = report.byReward.reduce((n, r) => n + r.grants, 0);
      expect([timelineGrants, timelineSpend]).toEqual([grants, report.budget.total?.used]);
      expect(committed).toBe(true);
    });
  }

  // pg queues a query sent while its connection still runs another, warns that pg 9 will refuse it, and the
  // report's snapshot is one connection: its reads go one after another.
  if (backend === 'postgres+redis') {
    it('never sends a query on its snapshot connection while another is running there', async () => {
      // pg's Client, as far as this test reads it: the query running on the connection and those queued behind it.
      type PgQuery = (this: { _activeQuery: unknown; _queryQueue: unknown[] }, ...args: unknown[]) => unknown;
      const { Client } = jest.requireActual<{ Client: { prototype: { query: PgQuery } } }>('pg');
      const original = Client.prototype.query;
      const overlapping: string[] = [];
      // Only the snapshot's connection, from its SET TRANSACTION to its end: every pg client shares this spy, and
      // knex's own `set search_path` on a connection it is still opening for the pool once overlapped there.
      const inSnapshot = new WeakSet<object>();
      let snapshots = 0;
      const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
        this: ThisParameterType<PgQuery>,
        ...args: unknown[]
      ) {
        const [query] = args as [string | { text?: string }];
        const text = typeof query === 'string' ? query : (query.text ?? '');
        if (/REPEATABLE READ, READ ONLY/i.test(text)) {
          inSnapshot.add(this);
          snapshots += 1;
        }
        if (inSnapshot.has(this) && (this._activeQuery !== null || this._queryQueue.length > 0))
          overlapping.push(text.slice(0, 120));
        if (/^\s*(?:commit|rollback)\b/i.test(text)) inSnapshot.delete(this);
        return Reflect.apply(original, this, args);
      });
      try {
        const report = await pocket.reports.report(CAMPAIGN);
        expect(report.funnel.participations).toBeGreaterThan(0);
      } finally {
        spy.mockRestore();
      }
      expect([snapshots, overlapping]).toEqual([1, []]);
    });
  }

  // Last: it publishes version 2. A tester dropped from the list, and a real user made one, keep their past:
  // the funnel's grants are still the grants the rest of the report counts, whoever the testers are now.
  it('counts a participation with its grant after the testers change, so the funnel adds up to the grants', async () => {
    writeFileSync(
      join(root, 'campaigns', `${CAMPAIGN}.yaml`),
      reportYaml.replace(
        '  - { userId: qa-1, profile: { vip: true } }',
        ['qa-2', 'member-1', 'member-2']
          .map((id) => `  - { userId: ${id}, profile: { member: true } }`)
          .join('\n'),
      ),
    );
    const { resolved } = await loadResolvedCampaigns(root);
    await pocket.lifecycle.publish(resolved, { note: null, force: false, author: 'tester', gitCommit: null });
    const report = await pocket.reports.report(CAMPAIGN);
    const grants = report.byReward.reduce((n, r) => n + r.grants, 0);
    const count = async (table: string, where: Record<string, unknown>): Promise<number> =>
      Number(((await backends.ledger.db(table).where(where).count({ n: '*' }).first()) as { n: unknown }).n);
    const realGrants = await count('grants', { campaign_id: CAMPAIGN, test: false });
    expect([report.campaign.version, report.funnel.granted, grants]).toEqual([2, realGrants, realGrants]);
    // qa-1's test grant and member-1's refused second try; member-1's and member-2's real grants stay real.
    expect(report.testers).toEqual({ participations: 2, grants: 1 });
    expect(report.funnel.participations).toBe((await count('participations', { campaign_id: CAMPAIGN })) - 2);
  });

  // A discrepancy found last week and resolved today was counted last week (by when it was found), not today.
  it('counts the discrepancies resolved in the range by when they were resolved', async () => {
    const day = 86_400_000;
    const at = (ms: number): Date => new Date(START.getTime() + ms);
    const discrepancies = new KnexDiscrepancyStore();
    const found = await discrepancies.record(backends.ledger.db, {
      runId: null,
      kind: 'counter_drift',
      campaignId: CAMPAIGN,
      grantId: null,
      details: { old: true },
      status: 'open',
      createdAt: at(-2 * day),
    });
    await discrepancies.resolve(backends.ledger.db, found.discrepancy.id, at(2 * day), 'rebuilt', 'ops');
    const resolved = async (from: Date, to: Date): Promise<number> =>
      (await pocket.reports.report(CAMPAIGN, { from, to })).reconciliation.resolvedInRange;
    expect(await resolved(at(-3 * day), at(-day))).toBe(0);
    expect(await resolved(at(day), at(3 * day))).toBe(1);
  });

  // 23:59:59 and 00:00:00 in Shanghai are one UTC day (15:59:59Z, 16:00:00Z) but two business days.
  it('gives the spend per business day in the campaign timezone, as the daily budget counts it', async () => {
    const before = (await pocket.reports.report(CAMPAIGN)).budget.byDate;
    expect(before.map((d) => d.date)).toEqual(['2026-11-11']);
    const earlier = before[0]?.used ?? 0;
    for (const [userId, at] of [
      ['member-late-1', '2026-11-11T23:59:59+08:00'],
      ['member-late-2', '2026-11-12T00:00:00+08:00'],
    ] as const) {
      clock.advance(new Date(at).getTime() - clock.now().getTime());
      expect((await participate(pocket, userId)).body).toMatchObject({ outcome: 'granted' });
    }
    const report = await pocket.reports.report(CAMPAIGN);
    expect(report.budget.byDate).toEqual([
      { date: '2026-11-11', used: Number(earlier) + 50 },
      { date: '2026-11-12', used: 50 },
    ]);
    expect(report.budget.today).toMatchObject({ date: '2026-11-12', used: 50 });
    expect(report.budget.byDate.reduce((sum, d) => sum + Number(d.used), 0)).toBe(report.budget.total?.used);
  });

  // Last: it voids a grant. The funnel counts answers, so a grant delivered and then voided is still granted and
  // still delivered (the issuer confirmed it); it dropped out of `delivered` while staying in `granted`.
  it('keeps a grant voided after its delivery in the funnel, as granted and as delivered', async () => {
    const before = await pocket.reports.report(CAMPAIGN);
    const delivered = (await backends.ledger
      .db('grants')
      .where({ campaign_id: CAMPAIGN, test: false, status: 'delivered' })
      .orderBy('id')
      .first()) as { id: string };
    expect(await new KnexGrantStore().void(backends.ledger.db, delivered.id, 'refunded', clock.now())).toBe(
      true,
    );
    const after = await pocket.reports.report(CAMPAIGN);
    expect(after.funnel).toEqual(before.funnel);
    expect(after.delivery.byStatus).toMatchObject({
      delivered: Number(before.delivery.byStatus['delivered']) - 1,
      void: 1,
    });
  });
});
