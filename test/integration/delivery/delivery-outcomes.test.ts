/**
 * What each issuer answer does (issuer.ts protocol): a refusal fails the grant with a discrepancy and an alert,
 * 408, 429 and a timeout are retried with backoff (never sooner than the issuer's Retry-After), retries end in a dead letter with an alert, test grants
 * always go to the sandbox, consolations are never sent, and failed or dead grants keep their counters.
 */
import nock from 'nock';
import request from 'supertest';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../../src/integrations/notification-signature';
import type { Pocket } from '../../../src/server';
import {
  closeDeliveryPocket,
  deliveryPocket,
  fakeClock,
  grantsFor,
  grantStatuses,
  BULK,
  AT,
  type FakeClock,
  DEFINITIONS,
} from '../../helpers/delivery';
import { FakeIssuer } from '../../helpers/fake-issuer';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import { sandboxSignature } from '../../helpers/signed-request';
import { receiveWebhooks, type ReceivedWebhook } from '../../helpers/webhook-receiver';

const WALLET = 'http://wallet.outcomes.test';
const HOOK = 'http://hooks.outcomes.test';
const FLAKY = 'http://flaky-wallet.outcomes.test';

describeEachBackend('delivery outcomes', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;
  let hooks: ReceivedWebhook[];

  beforeEach(async () => {
    clock = fakeClock(AT);
    backends = await createBackends(backend);
    pocket = await deliveryPocket(backends, clock, {
      config: { issuerUrls: { red_packet: WALLET }, notifyUrl: `${HOOK}/pocket` },
    });
    issuer = new FakeIssuer(WALLET, clock);
    hooks = receiveWebhooks(HOOK, '/pocket');
  });
  afterEach(() => closeDeliveryPocket(pocket, backends));

  const messages = (): NotificationMessage[] => hooks.map((h) => JSON.parse(h.body) as NotificationMessage);

  it('a 4xx fails the grant for good: discrepancy, signed alert, counters kept', async () => {
    const [id] = await grantsFor(pocket, ['u-refused']);
    if (!id) throw new Error('expected a red packet');
    const usageBefore = await new KnexGrantStore().usage(backends.ledger.db, BULK);
    issuer.mode = 'reject';
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, rejected: 1 });
    clock.advance(3_600_000);
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 0 });
    expect(issuer.attempts(id)).toBe(1);
    expect((await grantStatuses(backends.ledger.db, [id]))[id]).toBe('failed');
    expect(await pocket.delivery.relay.stats()).toMatchObject({ pending: 0, dead: 1 });

    const [d] = await pocket.delivery.discrepancies.list(backends.ledger.db, { grantId: id });
    expect(d).toMatchObject({ kind: 'delivery_rejected', status: 'open', campaignId: BULK });
    expect(d?.details).toMatchObject({ issuer: WALLET, status: 422 });

    expect(messages()).toEqual([
      expect.objectContaining({
        event: 'reconcile.discrepancy',
        campaignId: BULK,
        details: expect.objectContaining({ kind: 'delivery_rejected', grantId: id }),
      }),
    ]);
    const [hook] = hooks;
    if (!hook) throw new Error('no webhook');
    const secret = pocket.config.secrets.webhook;
    const now = AT; // when it was sent
    expect(
      verifySignature({ secret, body: hook.body, timestamp: hook.timestamp, signature: hook.signature, now }),
    ).toBe(true);
    expect(
      verifySignature({
        secret,
        body: hook.body.replace(id, 'x'),
        timestamp: hook.timestamp,
        signature: hook.signature,
        now,
      }),
    ).toBe(false);
    expect(TIMESTAMP_HEADER.toLowerCase()).toBe('x-pocket-timestamp');
    expect(SIGNATURE_HEADER.toLowerCase()).toBe('x-pocket-signature');

    // Failed grants keep their counters until a void.
    expect(await new KnexGrantStore().usage(backends.ledger.db, BULK)).toEqual(usageBefore);
  });

  it("waits at least an issuer's Retry-After (up to the backoff cap) before the next attempt", async () => {
    const busy = await createTestPocket(backends, {
      clock,
      random: () => 0,
      config: { definitionsRoot: DEFINITIONS, issuerUrls: { red_packet: FLAKY } },
    });
    try {
      const [id] = await grantsFor(busy, ['u-busy']);
      if (!id) throw new Error('expected a red packet');
      const scope = nock(FLAKY, { reqheaders: { 'idempotency-key': id } })
        .post('/grants')
        .reply(429, '', { 'Retry-After': '120' })
        .post('/grants')
        .reply(503, '', { 'Retry-After': '86400' })
        .post('/grants')
        .reply(201);
      const outbox = new KnexOutboxStore();
      const pauses: Array<[number, string | null]> = [];
      for (let attempt = 1; attempt <= 2; attempt++) {
        expect(await busy.delivery.relay.drain()).toMatchObject({ claimed: 1, retry: 1 });
        const entry = await outbox.findByGrant(backends.ledger.db, id);
        if (!entry) throw new Error('no outbox entry');
        pauses.push([entry.nextAttemptAt.getTime() - clock().getTime(), entry.lastError]);
        // Not due before the pause the issuer asked for: a drain meanwhile claims nothing.
        clock.advance(entry.nextAttemptAt.getTime() - clock().getTime() - 1);
        expect(await busy.delivery.relay.drain()).toMatchObject({ claimed: 0 });
        clock.advance(1);
      }
      // With random 0 the backoff alone would be 1 ms: the issuer's 120 s stand; its day is capped at 10 min.
      expect(pauses).toEqual([
        [120_000, 'HTTP 429 (Retry-After 120 s)'],
        [600_000, 'HTTP 503 (Retry-After 86400 s)'],
      ]);
      expect(await busy.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(scope.isDone()).toBe(true);
    } finally {
      nock.abortPendingRequests();
      await busy.close();
    }
  });

  it('408, 429 and a timeout are retried later with backoff, then delivered', async () => {
    const flaky = await createTestPocket(backends, {
      clock,
      random: () => 0,
      // 1 s: a busy CI host's nock answer must not time out where an answer is meant to arrive.
      config: { definitionsRoot: DEFINITIONS, issuerUrls: { red_packet: FLAKY }, issuerTimeoutMs: 1000 },
    });
    try {
      const [id] = await grantsFor(flaky, ['u-flaky']);
      if (!id) throw new Error('expected a red packet');
      // The third answer comes too late: the issuer issued the grant, so the next attempt hears 409.
      const scope = nock(FLAKY, { reqheaders: { 'idempotency-key': id } })
        .post('/grants')
        .reply(408)
        .post('/grants')
        .reply(429)
        .post('/grants')
        .delay(3000)
        .reply(201)
        .post('/grants')
        .reply(409);
      const outbox = new KnexOutboxStore();
      const retries: Array<[number, string | null]> = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect(await flaky.delivery.relay.drain()).toMatchObject({ claimed: 1, retry: 1, rejected: 0 });
        const entry = await outbox.findByGrant(backends.ledger.db, id);
        if (!entry) throw new Error('no outbox entry');
        retries.push([entry.attempts, entry.lastError]);
        // Rescheduled with full jitter under the ceiling 1 s · 2^(attempt − 1) (the worker's own random).
        const pause = entry.nextAttemptAt.getTime() - clock().getTime();
        expect(pause).toBeGreaterThanOrEqual(1);
        expect(pause).toBeLessThanOrEqual(1000 * 2 ** (attempt - 1));
        expect((await grantStatuses(backends.ledger.db, [id]))[id]).toBe('pending');
        clock.advance(10 * 60_000);
      }
      expect(retries).toEqual([
        [1, 'HTTP 408'],
        [2, 'HTTP 429'],
        [3, expect.stringMatching(/timeout/i)],
      ]);
      expect(await flaky.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
      expect((await grantStatuses(backends.ledger.db, [id]))[id]).toBe('delivered');
      expect(scope.isDone()).toBe(true);
      expect(await pocket.delivery.discrepancies.list(backends.ledger.db, { grantId: id })).toEqual([]);
      expect(hooks).toEqual([]);
    } finally {
      nock.abortPendingRequests();
      await flaky.close();
    }
  });

  it('after the maximum attempts the grant is dead-lettered and the alert fires once', async () => {
    const [id] = await grantsFor(pocket, ['u-dead']);
    if (!id) throw new Error('expected a red packet');
    const grants = new KnexGrantStore();
    const usageBefore = await grants.usage(backends.ledger.db, BULK);
    const positionsBefore = await grants.campaignCounters(backends.ledger.db, BULK);
    const countersBefore = await pocket.hotState.readCounters(BULK);
    expect(countersBefore).not.toBeNull();
    issuer.mode = 'down';
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 14; attempt++) {
      const batch = await pocket.delivery.relay.drain();
      if (batch.retry) outcomes.push('retry');
      if (batch.dead) outcomes.push('dead');
      clock.advance(10 * 60_000);
    }
    expect(outcomes).toEqual([...Array(11).fill('retry'), 'dead']);
    expect(issuer.attempts(id)).toBe(12);
    expect((await grantStatuses(backends.ledger.db, [id]))[id]).toBe('dead');
    const dead = await pocket.delivery.discrepancies.list(backends.ledger.db, { grantId: id });
    expect(dead.map((d) => [d.kind, d.status])).toEqual([['delivery_dead', 'open']]);
    // double11 does not list grant.dead_lettered in notify.on: a dead letter is announced anyway.
    expect(messages().map((m) => [m.event, m.details['grantId']])).toEqual([['grant.dead_lettered', id]]);
    expect(await pocket.delivery.alerts.retryPending()).toBe(0);
    expect(hooks).toHaveLength(1);

    // Dead-lettered grants keep their counters until a void: the grant's spend and its stock, budget and daily
    // positions in the ledger, so real-time reconciliation (which repairs the hot state from the ledger)
    // leaves the hot counters as they were.
    expect(usageBefore.grants).toBe(1);
    expect(await grants.usage(backends.ledger.db, BULK)).toEqual(usageBefore);
    expect(await grants.campaignCounters(backends.ledger.db, BULK)).toEqual(positionsBefore);
    if (!pocket.delivery.realtime) throw new Error('no real-time reconciliation');
    await pocket.delivery.realtime.run();
    expect(await pocket.hotState.readCounters(BULK)).toEqual(countersBefore);
  });

  it('sends test grants to the sandbox and never sends consolations', async () => {
    const tester = await request(pocket.app)
      .post(`/v1/campaigns/${BULK}/participations`)
      .set('Idempotency-Key', 'k-tester')
      .send({ userId: 'qa-bulk', context: { channel: 'app' } });
    expect(tester.body).toMatchObject({ outcome: 'granted', grant: { type: 'red_packet', test: true } });
    const testGrant = (tester.body as { grant: { id: string } }).grant.id;
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(issuer.requests).toEqual([]);
    // It reached the sandbox in process: listed there, not by the sandbox's HTTP face, which lists only what
    // reached it over HTTP (and takes signed requests only, as an issuer's listing does).
    const window = { since: new Date('2026-11-10T00:00:00Z'), until: new Date('2026-11-12T00:00:00Z') };
    expect(await pocket.delivery.sandbox.listIssued({ ...window, cursor: null, limit: 10 })).toEqual({
      records: [{ grantId: testGrant, rewardId: 'rp-small', amount: 50, issuedAt: AT }],
      nextCursor: null,
    });
    const listing = '/sandbox/issuer/grants?since=2026-11-10T00:00:00Z&until=2026-11-12T00:00:00Z';
    const sandbox = await request(pocket.app)
      .get(listing)
      .set(sandboxSignature(pocket, listing, clock()));
    expect(sandbox.status).toBe(200);
    expect(sandbox.body).toEqual({ records: [], nextCursor: null });

    // A draw at the top of the range lands on the consolation (thanks, weight 30 of 100).
    const consolation = await createTestPocket(backends, { clock, random: () => 0.99 });
    try {
      const thanks = await request(consolation.app)
        .post(`/v1/campaigns/${BULK}/participations`)
        .set('Idempotency-Key', 'k-thanks')
        .send({ userId: 'u-thanks', context: { channel: 'app' } });
      expect(thanks.body).toMatchObject({ outcome: 'granted', grant: { type: 'none' } });
      expect(
        await backends.ledger.db('outbox').where({ grant_id: thanks.body.grant.id }).first(),
      ).toBeUndefined();
      expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 0 });
    } finally {
      await consolation.close();
    }
  });
});
