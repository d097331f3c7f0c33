/* global document, window, location, history, sessionStorage, fetch, URLSearchParams */
/**
 * pocket's live dashboard: for each campaign, participations and grants over time, spend against budget,
 * stock remaining, outcomes by reason, delivery and reconciliation. It polls the same report the CLI prints
 * (GET /admin/campaigns/{id}/report, scope read) every few seconds (`?refresh=N` seconds, 1..60, default 5)
 * and draws plain SVG: no library, nothing downloaded.
 *
 * The admin token is asked for once and kept in this tab's sessionStorage (gone when the tab closes), sent as
 * `Authorization: Bearer`. `/dashboard#token=…` is accepted too: a fragment never reaches a server or a log,
 * and it is removed from the address bar at once.
 */
'use strict';

(() => {
  const KEY = 'pocket.dashboard.token';
  const SVG = 'http://www.w3.org/2000/svg';
  const params = new URLSearchParams(location.search);
  const refreshSeconds = Math.min(60, Math.max(1, Number(params.get('refresh')) || 5));
  /**
   * Reports asked for at once: as many as the service computes at a time (REPORTS_AT_ONCE), each holding a
   * ledger connection. All at once, 35 campaigns in three tabs sent 105 and slowed the participations down.
   */
  const REPORTS_AT_ONCE = 2;
  const $ = (id) => document.getElementById(id);
  const statusLine = $('status');
  const updatedLine = $('updated');
  const board = $('campaigns');
  const form = $('token-form');
  const signOut = $('sign-out');
  let timer = null;
  /** When the figures on screen were read (null: none are). */
  let shownAt = null;
  /** Each campaign's card and the figures it was drawn from (the report but its generatedAt). */
  let drawn = new Map();

  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) {
    sessionStorage.setItem(KEY, fragment.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const child of children) node.append(child);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const child of children) node.append(child);
    return node;
  }

  const count = (n) => Number(n).toLocaleString('en-US');

  /**
   * Minor units in major ones, with the report's ISO 4217 digits (not CLDR's, which drop HUF's or IDR's), exactly:
   * the report gives a total past 2^53 − 1 as a string of digits, and Intl formats a decimal string as written.
   */
  function money(minor, currency, digits) {
    const whole = BigInt(minor);
    if (!currency || digits === null || digits === undefined) return whole.toLocaleString('en-US');
    const scale = 10n ** BigInt(digits);
    const abs = whole < 0n ? -whole : whole;
    const major = `${whole < 0n ? '-' : ''}${abs / scale}${
      digits > 0 ? `.${String(abs % scale).padStart(digits, '0')}` : ''
    }`;
    const format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    return format.format(major);
  }

  /**
   * `part` as a share of `whole` with one decimal, as `pocket report` prints it: below the whole it never rounds
   * up to 100.0% (1,999 of 2,000 is 99.9%, not a figure that looks complete while some is left).
   */
  function percentOf(part, whole) {
    if (!(Number(whole) > 0)) return '–';
    const share = (100 * Number(part)) / Number(whole);
    return `${(BigInt(part) < BigInt(whole) ? Math.min(99.9, share) : share).toFixed(1)}%`;
  }

  /**
   * The status line is a live region: it is written only when what it says changes, so a screen reader hears
   * an outage, a recovery or a new campaign once, not every refresh. The time of the last refresh is beside it.
   */
  function setStatus(text, error, updated) {
    if (statusLine.textContent !== text) statusLine.textContent = text;
    statusLine.className = error ? 'error' : '';
    updatedLine.textContent = updated || '';
  }

  function askForToken(message) {
    sessionStorage.removeItem(KEY);
    if (timer) window.clearTimeout(timer);
    board.replaceChildren();
    drawn = new Map();
    board.classList.remove('stale');
    shownAt = null;
    form.hidden = false;
    signOut.hidden = true;
    setStatus(message, Boolean(message));
    $('token').focus();
  }

  class AuthError extends Error {}

  async function getJson(path, token) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, { headers, cache: 'no-store' }).catch(() => {
      throw new Error('the service does not answer');
    });
    if (res.ok) return res.json();
    // The service's own words (`ledger is unavailable`), not a bare status.
    const body = await res.json().catch(() => ({}));
    const message = body.error && body.error.message;
    if (res.status === 401 || res.status === 403) throw new AuthError(message || `HTTP ${res.status}`);
    throw new Error(message ? `${message} (HTTP ${res.status})` : `${path} answered HTTP ${res.status}`);
  }

  function kpi(label, metric, value, share) {
    return el(
      'div',
      { class: 'kpi' },
      el('div', { class: 'label' }, label),
      el('div', { class: 'value', 'data-metric': metric, 'data-value': value }, count(value)),
      el('div', { class: 'label' }, share),
    );
  }

  /**
   * An instant on the campaign's clock, to the second, as `pocket report` prints it (`2026-11-27T04:17:00+08:00`):
   * bare UTC (`…T20:17:00.041Z`) read as the wrong hour to an operator in the campaign's zone.
   */
  function localTime(iso, timeZone) {
    const parts = {};
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
    const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.slice(3);
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
  }

  /** A bucket's length as a person says it: 1 min, 30 min, 6 h, 1 day. */
  function duration(seconds) {
    if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
    if (seconds % 3600 === 0) return `${seconds / 3600} h`;
    return `${seconds / 60} min`;
  }

  /** Participations and grants per bucket: two polylines on one time axis. */
  function timelineChart(timeline, timeZone) {
    const W = 520;
    const H = 150;
    const pad = { l: 36, r: 8, t: 8, b: 20 };
    const points = timeline.points;
    const max = Math.max(1, ...points.map((p) => Math.max(p.participations, p.grants)));
    const x = (i) =>
      pad.l + (points.length > 1 ? (i * (W - pad.l - pad.r)) / (points.length - 1) : (W - pad.l - pad.r) / 2);
    const y = (v) => H - pad.b - (v * (H - pad.t - pad.b)) / max;
    const chart = svg('svg', {
      viewBox: `0 0 ${W} ${H}`,
      'data-chart': 'timeline',
      role: 'img',
      'aria-label': 'no participations yet',
    });
    chart.append(
      svg('line', { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, stroke: 'var(--line)' }),
      svg('text', { x: 2, y: pad.t + 8 }, count(max)),
      svg('text', { x: 2, y: H - pad.b }, '0'),
    );
    if (points.length === 0) {
      chart.append(svg('text', { x: W / 2 - 50, y: H / 2 }, 'no participations yet'));
      return chart;
    }
    // In the campaign's zone, as its points are cut: month-day and time.
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const time = (at) => local.format(new Date(at)).replace(',', '');
    const [first, last] = [time(points[0].at), time(points[points.length - 1].at)];
    chart.setAttribute(
      'aria-label',
      `participations and grants in ${count(points.length)} points from ${first} to ${last} (${timeZone}), ` +
        `at most ${count(max)} in one point`,
    );
    chart.append(
      svg('text', { x: pad.l, y: H - 4 }, first),
      svg('text', { x: W - pad.r, y: H - 4, 'text-anchor': 'end' }, last),
    );
    for (const series of ['participations', 'grants']) {
      const coords = points.map((p, i) => `${x(i).toFixed(1)},${y(p[series]).toFixed(1)}`);
      if (coords.length === 1) coords.push(coords[0]);
      chart.append(
        svg('path', {
          d: `M${coords.join(' L')}`,
          fill: 'none',
          stroke: `var(--${series})`,
          'stroke-width': 2,
          'data-series': series,
          'data-points': points.length,
        }),
      );
      if (points.length <= 60) {
        points.forEach((p, i) =>
          chart.append(
            svg('circle', {
              cx: x(i),
              cy: y(p[series]),
              r: 2,
              fill: `var(--${series})`,
              'data-series': series,
            }),
          ),
        );
      }
    }
    return chart;
  }

  /**
   * One row per `[label, value, max, metric, detail]`: the label and the figure are text (read aloud, copied, and
   * as large on a phone as anywhere), the bar between them a picture of the same figure.
   */
  function barChart(name, rows, color) {
    return el(
      'div',
      { class: 'bars', 'data-chart': name },
      ...rows.map(([label, value, max, metric, detail]) => {
        const width = max > 0 ? Math.min(100, Math.max(value > 0 ? 1 : 0, (100 * value) / max)) : 0;
        const bar = svg(
          'svg',
          { class: 'bar', viewBox: '0 0 100 12', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
          svg('rect', { width: 100, height: 12, fill: 'var(--bg)' }),
          svg('rect', {
            width: width.toFixed(1),
            height: 12,
            fill: color,
            'data-bar': label,
            'data-value': value,
          }),
        );
        return el(
          'div',
          { class: 'bar-row' },
          el('span', { class: 'bar-label' }, label),
          bar,
          el('span', { class: 'bar-detail', 'data-metric': metric, 'data-value': value }, detail),
        );
      }),
    );
  }

  /**
   * Without a budget there is no plan to draw, but the money still went out: what the grants cost, as the
   * report's reward lines add it up, in the currency they were made in.
   */
  function noBudget(report) {
    const { currency, minorDigits } = report.budget;
    const spend = report.byReward.reduce((sum, line) => sum + BigInt(line.spend), 0n);
    const shown =
      currency || spend === 0n
        ? money(spend, currency, minorDigits)
        : `${money(spend, null, null)} (minor units, no currency)`;
    return el(
      'div',
      {},
      el('span', { class: 'note' }, 'no budget; spent '),
      el('span', { 'data-metric': 'spend', 'data-value': spend }, shown),
    );
  }

  /** What a campaign's state in /v1/campaigns (its window and pause, now) is called on its card. */
  const STATE_WORDS = { live: 'live', not_started: 'not started', ended: 'ended' };

  /**
   * The window, whether the campaign takes participations now and whether it is paused: its definition's status
   * (`active`) said nothing of that, so a campaign whose window had ended read as active. PAUSED as `pocket
   * report` prints it, also on an ended campaign; a paused live one is PAUSED alone.
   */
  function stateLine(c, state) {
    const word = STATE_WORDS[state];
    return el(
      'div',
      { class: 'meta' },
      `${c.window.start} → ${c.window.end}`,
      ...(word
        ? [' · ', el('span', { class: `state ${state}`, 'data-metric': 'state', 'data-value': state }, word)]
        : []),
      ...(c.paused || state === 'paused' ? [' · ', el('span', { class: 'paused' }, 'PAUSED')] : []),
    );
  }

  function campaignCard(report, state) {
    const c = report.campaign;
    const f = report.funnel;
    const { currency, minorDigits } = report.budget;
    const share = (n) => percentOf(n, f.participations);
    const card = el('section', {
      class: 'campaign',
      'data-campaign': report.campaignId,
      'data-generated-at': report.generatedAt,
    });
    card.append(
      el('h2', {}, `${c.name} `, el('span', { class: 'meta' }, `${report.campaignId} · v${c.version}`)),
      stateLine(c, state),
      el(
        'div',
        { class: 'kpis' },
        kpi('participations', 'funnel.participations', f.participations, ''),
        kpi('eligible', 'funnel.eligible', f.eligible, share(f.eligible)),
        kpi('granted', 'funnel.granted', f.granted, share(f.granted)),
        kpi('delivered', 'funnel.delivered', f.delivered, share(f.delivered)),
      ),
      el(
        'h3',
        {},
        'Participations and grants over time ',
        el(
          'span',
          { class: 'legend' },
          el('span', { class: 'participations' }, 'participations'),
          el('span', { class: 'grants' }, 'grants'),
        ),
      ),
      timelineChart(report.timeline, report.campaign.timezone),
      el('div', { class: 'note' }, `one point per ${duration(report.timeline.bucketSeconds)}`),
    );
    const budgets = [];
    if (report.budget.total) budgets.push(['total', report.budget.total]);
    if (report.budget.today) budgets.push([`today ${report.budget.today.date}`, report.budget.today]);
    card.append(el('h3', {}, 'Spend against budget'));
    card.append(
      budgets.length > 0
        ? barChart(
            'budget',
            budgets.map(([label, b], i) => [
              label,
              b.used,
              b.plan,
              i === 0 ? 'budget.total.used' : 'budget.today.used',
              `${money(b.used, currency, minorDigits)} of ${money(b.plan, currency, minorDigits)} (${percentOf(b.used, b.plan)})${
                BigInt(b.overspent ?? 0) > 0n
                  ? `, overspent ${money(b.overspent, currency, minorDigits)}`
                  : ''
              }`,
            ]),
            'var(--warn)',
          )
        : noBudget(report),
    );
    const limited = report.stock.filter((s) => s.plan !== null);
    card.append(el('h3', {}, 'Stock remaining'));
    card.append(
      limited.length > 0
        ? barChart(
            'stock',
            limited.map((s) => [
              s.rewardId,
              s.remaining,
              s.plan,
              `stock.${s.rewardId}.remaining`,
              `${count(s.remaining)} of ${count(s.plan)}${s.overgranted > 0 ? `, overgranted ${count(s.overgranted)}` : ''}`,
            ]),
            'var(--grants)',
          )
        : el('div', { class: 'note' }, 'no stock limits'),
    );
    const outcomes = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]);
    const most = Math.max(0, ...outcomes.map(([, n]) => n));
    card.append(el('h3', {}, 'Outcomes by reason'));
    card.append(
      outcomes.length > 0
        ? barChart(
            'outcomes',
            outcomes.map(([reason, n]) => [reason, n, most, `outcomes.${reason}`, count(n)]),
            'var(--participations)',
          )
        : el('div', { class: 'note' }, 'no participations yet'),
    );
    const r = report.reconciliation;
    const d = report.delivery;
    const run = (label, x) =>
      `${label} ${x ? `${x.status} at ${localTime(x.startedAt, c.timezone)}` : 'never run'}`;
    // As `pocket report` words it: grants by status (voided and refused ones too), then the relay's queue.
    const statuses = Object.entries(d.byStatus).map(([status, n]) => `${status} ${count(n)}`);
    card.append(
      el('h3', {}, 'Delivery and reconciliation'),
      el(
        'div',
        { 'data-metric': 'delivery' },
        `${statuses.join(', ') || 'no grants'}${
          d.consolations > 0 ? `; consolations ${count(d.consolations)} (nothing to deliver)` : ''
        }; backlog ${count(d.backlog)}, given up ${count(d.dead)}, lag ${count(d.lagSeconds)} s`,
      ),
      el(
        'div',
        {},
        el(
          'span',
          { class: `badge ${r.state}`, 'data-metric': 'reconciliation.state', 'data-value': r.state },
          r.state,
        ),
        ' ',
        el(
          'span',
          { 'data-metric': 'reconciliation.open', 'data-value': r.openDiscrepancies },
          `${count(r.openDiscrepancies)} open`,
        ),
        Object.keys(r.openByKind).length > 0
          ? ` (${Object.entries(r.openByKind)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')})`
          : '',
        `, ${count(r.resolvedInRange)} resolved · ${run('real-time', r.lastRealtime)} · ${run('offline', r.lastOffline)}`,
      ),
      el(
        'div',
        { class: 'note' },
        `testers (left out above): ${count(report.testers.participations)} participations, ${count(report.testers.grants)} grants`,
      ),
    );
    return card;
  }

  const clock = (at) => at.toLocaleTimeString();

  /**
   * A refresh that failed leaves the last figures on screen, dimmed and marked as of when they were read: shown
   * as they were, a ledger outage looked like a campaign that had stopped moving.
   */
  function showStale(reason) {
    board.classList.add('stale');
    for (const card of board.querySelectorAll('section.campaign')) card.setAttribute('data-stale', 'true');
    const shown = shownAt ? `the figures below are from ${clock(shownAt)}, not current` : 'no figures yet';
    setStatus(`Cannot refresh: ${reason}; ${shown}; retrying every ${refreshSeconds} s`, true);
  }

  /**
   * Puts a card per report on the board, leaving in place the ones whose figures did not change: a card drawn
   * again every refresh dropped the text a reader had selected to copy, and scrolled a screen reader back.
   */
  function show(reports, states) {
    const next = new Map();
    const cards = reports.map((report) => {
      const { generatedAt, ...figures } = report;
      const state = states.get(report.campaignId);
      const key = JSON.stringify([figures, state]);
      const known = drawn.get(report.campaignId);
      const node = known && known.key === key ? known.node : campaignCard(report, state);
      node.setAttribute('data-generated-at', generatedAt);
      node.removeAttribute('data-stale');
      next.set(report.campaignId, { key, node });
      return node;
    });
    drawn = next;
    if (cards.length === 0) cards.push(el('p', {}, 'No active campaign.'));
    cards.forEach((node, i) => {
      if (board.children[i] !== node) board.insertBefore(node, board.children[i] || null);
    });
    while (board.children.length > cards.length) board.lastElementChild.remove();
  }

  /** `work` on each item, `atOnce` at a time, answers in the items' order; the first failure ends it. */
  async function inTurns(items, atOnce, work) {
    const answers = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < items.length) {
        const i = next;
        next += 1;
        try {
          answers[i] = await work(items[i]);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
    return answers;
  }

  async function refresh() {
    const token = sessionStorage.getItem(KEY);
    if (!token) return askForToken('');
    try {
      const list = await getJson('/v1/campaigns');
      const ids = list.campaigns.map((c) => c.id);
      const states = new Map(list.campaigns.map((c) => [c.id, c.state]));
      const reports = await inTurns(ids, REPORTS_AT_ONCE, (id) =>
        getJson(`/admin/campaigns/${encodeURIComponent(id)}/report`, token),
      );
      show(reports, states);
      board.classList.remove('stale');
      shownAt = new Date();
      setStatus(
        `${reports.length} campaign(s), refreshed every ${refreshSeconds} s`,
        false,
        `updated ${clock(shownAt)}`,
      );
      document.body.setAttribute('data-refreshed', String(Date.now()));
    } catch (error) {
      if (error instanceof AuthError) return askForToken(`The token was refused: ${error.message}`);
      showStale(error.message);
    }
    timer = window.setTimeout(refresh, refreshSeconds * 1000);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $('token').value.trim());
    $('token').value = '';
    form.hidden = true;
    signOut.hidden = false;
    setStatus('loading…');
    void refresh();
  });
  signOut.addEventListener('click', () => askForToken(''));

  if (sessionStorage.getItem(KEY)) {
    signOut.hidden = false;
    void refresh();
  } else {
    askForToken('');
  }
})();
