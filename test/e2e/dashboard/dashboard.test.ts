/**
 * The live dashboard in headless Chromium (Debian's /usr/bin/chromium through playwright-core; never a
 * downloaded browser): after real traffic, the page shows the same numbers as the report endpoint, its charts
 * hold data, it refreshes by itself when traffic moves the numbers, and a refused token brings the token form
 * back. Skips with a message when Chromium is absent, unless POCKET_REQUIRE_SERVICES=1.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { localTime } from '../../../src/shared/local-time';
import { reportTable } from '../../../cli/report-output';
import type { CampaignReport } from '../../../src/observability/report/campaign-report';
import type { Pocket } from '../../../src/server';
import { createBackends, removeDir, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  driveTraffic,
  MovingClock,
  participate,
  reportPocket,
  writeReportDefinitions,
} from '../../integration/observability/observability-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function describeWithChromium(title: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(title, body);
  } else if (process.env['POCKET_REQUIRE_SERVICES'] === '1') {
    describe(title, () => {
      it('has Chromium', () => {
        throw new Error(`POCKET_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
      });
    });
  } else {
    console.warn(`skipping "${title}": ${CHROMIUM} is missing (apt-get install chromium to run it)`);
    describe.skip(title, body);
  }
}

/** In the page: each selector's text against its background, as WCAG's contrast ratio. */
const CONTRAST = `(selectors) => {
  const lum = (c) => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (n) => {
    for (let e = n; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  return selectors.map((selector) => {
    const n = document.querySelector(selector);
    if (!n) return [selector, 0];
    const [a, b] = [lum(getComputedStyle(n).color), lum(background(n))];
    return [selector, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}`;

/** In the page: counts the writes to an element's text in window.statusWrites. */
const COUNT_WRITES = `(id) => {
  window.statusWrites = 0;
  new MutationObserver(() => (window.statusWrites += 1)).observe(document.getElementById(id), {
    childList: true, characterData: true, subtree: true,
  });
}`;

describeWithChromium('dashboard in headless Chromium', () => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  let server: Server;
  let url: string;
  let token: string;
  let context: BrowserContext;
  let profileDir: string;
  const problems: string[] = [];
  const clock = new MovingClock();

  beforeAll(async () => {
    root = writeReportDefinitions();
    backends = await createBackends('sqlite+memory');
    pocket = await reportPocket(backends, root, clock);
    await driveTraffic(pocket, clock);
    token = (await pocket.tokens.create(['read'], 'dashboard')).token;
    server = await new Promise<Server>((resolve) => {
      const s = pocket.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profileDir = mkdtempSync(join(tmpdir(), 'pocket-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
    if (profileDir) removeDir(profileDir);
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${url}${path}`);
    return page;
  }

  async function report(): Promise<CampaignReport> {
    const res = await request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body as CampaignReport;
  }

  const card = `section[data-campaign="${CAMPAIGN}"]`;
  const valueOf = (page: Page, metric: string): Promise<string | null> =>
    page.locator(`${card} [data-metric="${metric}"]`).first().getAttribute('data-value');
  const textOf = async (page: Page, metric: string): Promise<string> =>
    (await page.locator(`${card} [data-metric="${metric}"]`).first().textContent()) ?? '';

  it('shows the same numbers as the report endpoint, and keeps the token out of the address bar', async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    expect(page.url()).not.toContain('token');
    const expected = await report();
    for (const key of ['participations', 'eligible', 'granted', 'delivered'] as const) {
      expect([key, await valueOf(page, `funnel.${key}`)]).toEqual([key, String(expected.funnel[key])]);
      expect((await textOf(page, `funnel.${key}`)).replace(/,/g, '')).toBe(String(expected.funnel[key]));
    }
    for (const [reason, count] of Object.entries(expected.outcomes)) {
      expect([reason, await valueOf(page, `outcomes.${reason}`)]).toEqual([reason, String(count)]);
    }
    for (const s of expected.stock) {
      expect([s.rewardId, await valueOf(page, `stock.${s.rewardId}.remaining`)]).toEqual([
        s.rewardId,
        String(s.remaining),
      ]);
    }
    expect(await valueOf(page, 'budget.total.used')).toBe(String(expected.budget.total?.used));
    expect(await textOf(page, 'budget.total.used')).toBe('CN¥5.00 of CN¥100.00 (5.0%)');
    expect(await valueOf(page, 'reconciliation.state')).toBe(expected.reconciliation.state);
    expect(await valueOf(page, 'reconciliation.open')).toBe(
      String(expected.reconciliation.openDiscrepancies),
    );
    await page.close();
  });

  it('rounds shares as pocket report does: never up to 100.0% while some is left', async () => {
    const page = await context.newPage();
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      const total = real.budget.total ?? { plan: 0, used: 0, remaining: 0, overspent: 0, usedRatio: 0 };
      const report = {
        ...real,
        funnel: { participations: 2000, eligible: 1999, granted: 2000, delivered: 1 },
        budget: { ...real.budget, total: { ...total, plan: 100_000, used: 99_999, remaining: 1 } },
      };
      await route.fulfill({ json: report });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const shares = await page.locator(`${card} .kpi .label:last-child`).allTextContents();
    expect(shares).toEqual(['', '99.9%', '100.0%', '0.1%']);
    expect(await textOf(page, 'budget.total.used')).toBe('CN¥999.99 of CN¥1,000.00 (99.9%)');
    await page.close();
  });

  it('draws its charts with data', async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const expected = await report();
    const line = page.locator(`${card} svg[data-chart="timeline"] path[data-series="participations"]`);
    expect(Number(await line.getAttribute('data-points'))).toBe(expected.timeline.points.length);
    const d = (await line.getAttribute('d')) ?? '';
    expect(d.split('L').length).toBe(expected.timeline.points.length);
    // The axis is labelled in the campaign's zone, as the report cuts its points.
    const first = new Intl.DateTimeFormat('en-CA', {
      timeZone: expected.campaign.timezone,
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(new Date(expected.timeline.points[0]?.at ?? 0))
      .replace(',', '');
    expect(await page.locator(`${card} svg[data-chart="timeline"] text`).allTextContents()).toContain(first);
    const box = await line.boundingBox();
    expect((box?.width ?? 0) * (box?.height ?? 0)).toBeGreaterThan(0);
    expect(await page.locator(`${card} svg[data-chart="timeline"] path[data-series="grants"]`).count()).toBe(
      1,
    );
    const bars = page.locator(`${card} [data-chart="outcomes"] rect[data-bar]`);
    expect(await bars.count()).toBe(Object.keys(expected.outcomes).length);
    const widths = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('width'))));
    expect(widths.every((w) => w > 0)).toBe(true);
    expect(await page.locator(`${card} [data-chart="stock"] rect[data-bar]`).count()).toBe(2);
    expect(await page.locator(`${card} [data-chart="budget"] rect[data-bar]`).count()).toBe(2);
    await page.close();
  });

  it('shows both ends of its time axis in full, and the bucket in words', async () => {
    const page = await context.newPage();
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      await route.fulfill({ json: { ...real, timeline: { ...real.timeline, bucketSeconds: 86400 } } });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const chart = page.locator(`${card} svg[data-chart="timeline"]`);
    const frame = await chart.boundingBox();
    const labels = chart.locator('text');
    const last = await labels.nth((await labels.count()) - 1).boundingBox();
    expect(frame && last && last.x + last.width <= frame.x + frame.width).toBe(true);
    expect(await page.locator(`${card} .note`, { hasText: 'one point per' }).textContent()).toBe(
      'one point per 1 day',
    );
    await page.close();
  });

  it('words delivery as pocket report does, with run times on the campaign clock', async () => {
    const page = await context.newPage();
    const startedAt = '2026-11-11T02:30:00.123Z';
    let shown: CampaignReport | undefined;
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      const run = { status: 'ok', startedAt, finishedAt: startedAt };
      const delivery = {
        ...real.delivery,
        byStatus: { ...real.delivery.byStatus, void: 1, failed: 2 },
        dead: 2,
      };
      shown = { ...real, delivery, reconciliation: { ...real.reconciliation, lastRealtime: run } };
      await route.fulfill({ json: shown });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    if (!shown) throw new Error('no report was served');
    const cli = reportTable(shown).find((line) => line.startsWith('delivery: '));
    expect(`delivery: ${await textOf(page, 'delivery')}`).toBe(cli);
    expect(cli).toContain('void 1, failed 2');
    const reconciliation = (await page.locator(`${card} .badge`).locator('..').textContent()) ?? '';
    expect(reconciliation).toContain(`real-time ok at ${localTime(startedAt, shown.campaign.timezone)}`);
    expect(reconciliation).toContain('2026-11-11T10:30:00+08:00');
    await page.close();
  });

  it('shows what a campaign without a budget spent', async () => {
    const page = await context.newPage();
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      // A later version dropped the budget: the currency is the one the grants were made in.
      await route.fulfill({ json: { ...real, budget: { ...real.budget, total: null, today: null } } });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const expected = await report();
    const spend = expected.byReward.reduce((sum, line) => sum + Number(line.spend), 0);
    expect(spend).toBe(expected.budget.total?.used);
    expect(await valueOf(page, 'spend')).toBe(String(spend));
    expect(await textOf(page, 'spend')).toBe('CN¥5.00');
    expect(await page.locator(`${card} [data-chart="budget"]`).count()).toBe(0);
    await page.close();
  });

  it('shows totals past 2^53 exactly, as the report gives them (digits in a string)', async () => {
    const page = await context.newPage();
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      // Two red packets of 2^53 − 1 fen without a budget total: the sum is the string the report sends.
      const byReward = [{ ...real.byReward[0]!, spend: '18014398509481982', amount: '18014398509481982' }];
      await route.fulfill({
        json: { ...real, byReward, budget: { ...real.budget, total: null, today: null } },
      });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    expect(await valueOf(page, 'spend')).toBe('18014398509481982');
    expect(await textOf(page, 'spend')).toBe('CN¥180,143,985,094,819.82');
    await page.close();
  });

  it('asks for two reports at a time, as many as the service computes at once', async () => {
    const page = await context.newPage();
    const ids = Array.from({ length: 7 }, (_, i) => `${CAMPAIGN}-${i}`);
    let running = 0;
    let most = 0;
    const asked: string[] = [];
    await page.route('**/v1/campaigns', async (route) => {
      const real = (await (await route.fetch()).json()) as { campaigns: Array<Record<string, unknown>> };
      await route.fulfill({ json: { campaigns: ids.map((id) => ({ ...real.campaigns[0], id })) } });
    });
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const id = decodeURIComponent(route.request().url().split('/campaigns/')[1]?.split('/')[0] ?? '');
      asked.push(id);
      running += 1;
      most = Math.max(most, running);
      const real = await route.fetch({ url: `${url}/admin/campaigns/${CAMPAIGN}/report` });
      const report = (await real.json()) as CampaignReport;
      await new Promise((resolve) => setTimeout(resolve, 100));
      running -= 1;
      await route.fulfill({ json: { ...report, campaignId: id } });
    });
    await page.goto(`${url}/dashboard?refresh=60#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(`section[data-campaign="${ids[6]}"]`, { timeout: 15_000 });
    // Before, all seven at once: 35 campaigns in three tabs sent 105, each holding a ledger connection.
    expect(most).toBe(2);
    expect(asked).toEqual(ids);
    expect(await page.locator('section.campaign').count()).toBe(7);
    await page.close();
  });

  it("says whether a campaign is live, not started, ended or paused, not its definition's status", async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const line = page.locator(`${card} > div.meta`);
    const shown = async (): Promise<string> => ((await line.textContent()) ?? '').replace(/^.+ → \S+/, '');
    /** What the card says after its window once /v1/campaigns says `state` (waiting up to 15 s for `expected`). */
    const says = async (state: string, expected: string): Promise<string> => {
      const list = await request(pocket.app).get('/v1/campaigns');
      expect(list.body.campaigns[0]?.state).toBe(state);
      for (let i = 0; i < 150 && (await shown()) !== expected; i += 1) await page.waitForTimeout(100);
      return shown();
    };
    const DAY = 86_400_000;
    let moved = 0;
    const move = (ms: number): void => {
      clock.advance(ms);
      moved += ms;
    };
    try {
      expect(await says('live', ' · live')).toBe(' · live');
      // Before, each of these read ' · active', the definition's status, whatever the window and the clock.
      move(2 * DAY);
      expect(await says('ended', ' · ended')).toBe(' · ended');
      await pocket.lifecycle.pause(CAMPAIGN, { note: null, author: null });
      expect(await says('ended', ' · ended · PAUSED')).toBe(' · ended · PAUSED');
      move(-2 * DAY);
      expect(await says('paused', ' · PAUSED')).toBe(' · PAUSED');
      await pocket.lifecycle.resume(CAMPAIGN, { note: null, author: null });
      move(-DAY);
      expect(await says('not_started', ' · not started')).toBe(' · not started');
      expect(await page.locator(`${card} [data-metric="state"]`).getAttribute('data-value')).toBe(
        'not_started',
      );
    } finally {
      await pocket.lifecycle.resume(CAMPAIGN, { note: null, author: null });
      clock.advance(-moved);
    }
    expect(await says('live', ' · live')).toBe(' · live');
    await page.close();
  });

  it("keeps a reader's selection across refreshes that change nothing", async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const figure = `${card} [data-metric="budget.total.used"]`;
    await page.evaluate(
      `(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('${figure}')); getSelection().addRange(r); })()`,
    );
    const selected = await page.evaluate('getSelection().toString()');
    expect(selected).toBe(await textOf(page, 'budget.total.used'));
    for (let i = 0; i < 2; i += 1) {
      const before = (await page.locator('body').getAttribute('data-refreshed')) ?? '';
      await page.locator(`body:not([data-refreshed="${before}"])`).waitFor({ timeout: 15_000 });
    }
    expect(await page.evaluate('getSelection().toString()')).toBe(selected);
    await page.close();
  });

  it('refreshes by itself when traffic moves the numbers', async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    const before = (await report()).funnel.participations;
    for (const userId of ['member-live-1', 'member-live-2', 'nobody-live']) await participate(pocket, userId);
    const after = await report();
    expect(after.funnel.participations).toBe(before + 3);
    await page.waitForSelector(
      `${card} [data-metric="funnel.participations"][data-value="${after.funnel.participations}"]`,
      { timeout: 15_000 },
    );
    expect(await valueOf(page, 'funnel.granted')).toBe(String(after.funnel.granted));
    expect(await valueOf(page, 'outcomes.not_eligible')).toBe(String(after.outcomes['not_eligible']));
    await page.close();
  });

  it('marks its figures as not current while the service or the ledger does not answer, and recovers', async () => {
    const page = await open(`/dashboard?refresh=1#token=${encodeURIComponent(token)}`);
    await page.waitForSelector(card, { timeout: 15_000 });
    expect(await page.locator(`${card}[data-stale]`).count()).toBe(0);
    // The ledger down: the service answers 503 dependency_unavailable, as it does then.
    await page.route('**/v1/campaigns', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'dependency_unavailable', message: 'ledger is unavailable', dependency: 'ledger' },
        }),
      }),
    );
    await page.waitForSelector(`${card}[data-stale="true"]`, { timeout: 15_000 });
    const status = page.locator('#status.error');
    expect(await status.textContent()).toMatch(
      /^Cannot refresh: ledger is unavailable \(HTTP 503\); the figures below are from .+, not current; retrying every 1 s$/,
    );
    expect(await page.locator('#campaigns.stale').count()).toBe(1);
    // The service down: no answer at all.
    await page.unroute('**/v1/campaigns');
    await page.route('**/v1/campaigns', (route) => route.abort('connectionrefused'));
    await page.locator('#status', { hasText: 'the service does not answer' }).waitFor({ timeout: 15_000 });
    expect(await page.locator(`${card}[data-stale="true"]`).count()).toBe(1);
    // Back: current figures, nothing marked.
    await page.unroute('**/v1/campaigns');
    await page.locator('#status:not(.error)', { hasText: 'refreshed every' }).waitFor({ timeout: 15_000 });
    expect(await page.locator(`${card}[data-stale]`).count()).toBe(0);
    expect(await page.locator('#campaigns.stale').count()).toBe(0);
    await page.close();
  });

  it('asks for a token, and again when the token is refused', async () => {
    const page = await open('/dashboard');
    await page.waitForSelector('#token-form:not([hidden])');
    await page.fill('#token', 'pk_0123456789abcdef_nope');
    await page.click('#token-form button[type="submit"]');
    await page.locator('#status.error', { hasText: 'refused' }).waitFor({ timeout: 15_000 });
    expect(await page.isVisible('#token-form')).toBe(true);
    expect(await page.locator(card).count()).toBe(0);
    await page.fill('#token', token);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector(card, { timeout: 15_000 });
    await page.close();
  });

  it('reads out its figures, fits a phone, passes WCAG AA contrast and is used with the keyboard', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 700 });
    await page.route('**/admin/campaigns/*/report', async (route) => {
      const real = (await (await route.fetch()).json()) as CampaignReport;
      // Paused, and its first stock line granted beyond its plan (a forced cut), as the report says it.
      const [first, ...rest] = real.stock;
      const over = first && { ...first, used: (first.plan ?? 0) + 3, remaining: 0, overgranted: 3 };
      await route.fulfill({
        json: { ...real, campaign: { ...real.campaign, paused: true }, stock: over ? [over, ...rest] : rest },
      });
    });
    await page.goto(`${url}/dashboard?refresh=1`);
    // The keyboard: the token field has the focus, Enter opens the dashboard.
    await page.waitForSelector('#token-form:not([hidden])');
    expect(await page.evaluate('document.activeElement.id')).toBe('token');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.waitForSelector(card, { timeout: 15_000 });
    // Every figure is text, not a picture: the bars are decoration beside it, the timeline is named.
    const expected = await report();
    expect(await textOf(page, 'budget.total.used')).toMatch(/^CN¥[\d.]+ of CN¥100\.00 \(\d+\.\d%\)$/);
    const [overgranted, ...others] = expected.stock;
    expect(overgranted).toBeDefined();
    expect(await textOf(page, `stock.${overgranted?.rewardId ?? ''}.remaining`)).toBe(
      `0 of ${overgranted?.plan}, overgranted 3`,
    );
    for (const s of others) {
      expect(await textOf(page, `stock.${s.rewardId}.remaining`)).toBe(`${s.remaining} of ${s.plan}`);
    }
    expect(await page.locator(`${card} svg:not([aria-hidden="true"]):not([aria-label])`).count()).toBe(0);
    expect(await page.locator(`${card} svg[data-chart="timeline"]`).getAttribute('aria-label')).toMatch(
      /^participations and grants in \d+ points from .+ to .+ \(Asia\/Shanghai\), at most \d+ in one point$/,
    );
    // A phone: nothing wider than the screen, no figure drawn smaller than 11 px.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const smallest = (await page.evaluate(
      `Math.min(...[...document.querySelectorAll('${card} [data-metric]')].map((n) => parseFloat(getComputedStyle(n).fontSize)))`,
    )) as number;
    expect(smallest).toBeGreaterThanOrEqual(11);
    // Text on a colour: at least 4.5:1.
    const selectors = ['.badge', '.paused', '.state', '.kpi .label', '.bar-label', '#status', '.note'];
    const ratios = (await page.evaluate(`(${CONTRAST})(${JSON.stringify(selectors)})`)) as Array<
      [string, number]
    >;
    for (const [selector, ratio] of ratios) expect([selector, ratio >= 4.5]).toEqual([selector, true]);
    // Refreshes do not rewrite the live region: a screen reader hears a change, not every poll.
    await page.evaluate(`(${COUNT_WRITES})('status')`);
    for (let i = 0; i < 2; i += 1) {
      const before = (await page.locator('body').getAttribute('data-refreshed')) ?? '';
      await page.locator(`body:not([data-refreshed="${before}"])`).waitFor({ timeout: 15_000 });
    }
    expect(await page.evaluate('window.statusWrites')).toBe(0);
    expect(await page.locator('[aria-live]:not(#status)').count()).toBe(0);
    // Everything sits in a landmark.
    expect(await page.locator('body > :not(header):not(main):not(script)').count()).toBe(0);
    await page.close();
  });

  it('logged no page error and no policy violation', () => {
    // The browser logs failed fetches: the refused token's 401, and the outage's 503 and refused connection.
    const expected =
      /Failed to load resource: (the server responded with a status of (401|503)|net::ERR_CONNECTION_REFUSED)/;
    expect(problems.filter((p) => !expected.test(p))).toEqual([]);
  });
});
