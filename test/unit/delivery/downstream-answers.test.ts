/**
 * Downstream systems that misbehave, behind nock: what the HTTP issuer, the webhook notifier and the scoring
 * calls make of redirects and of huge or endless answers. A redirect is never followed (fetch would turn the
 * POST of a 301/302/303 into a GET, and the issuer's listing or any page answering it 200 would pass for a
 * delivered grant or a sent alert), and only the start of a body is read (a huge or endless one costs neither
 * memory nor the call's whole timeout). A 2xx delivers whatever its body (empty, not JSON, another shape, broken
 * off): the issuer protocol goes by the status; a reset before the answer is retried with the same key.
 */
import { Readable } from 'node:stream';
import nock from 'nock';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import type { IssueRequest } from '../../../src/integrations/issuer';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import { postJson } from '../../../src/integrations/post-json';
import { WebhookNotifier } from '../../../src/integrations/webhook-notifier';

const BASE = 'http://wallet.downstream.test';
const HOOK = 'http://hooks.downstream.test';
const SCORES = 'http://scores.downstream.test';
const ISSUER_SECRET = 'issuer-secret-0123456789abcdefghijklmnop';

const grant: IssueRequest = {
  grantId: 'g-downstream',
  campaignId: 'bulk-drop',
  userId: 'u-1',
  rewardId: 'rp-small',
  type: 'red_packet',
  amount: 50,
  currency: 'CNY',
  businessDate: '2026-11-11',
  grantedAt: '2026-11-11T02:00:00.000Z',
  test: false,
};

const message: NotificationMessage = {
  id: 'n-1',
  event: 'grant.dead_lettered',
  campaignId: 'bulk-drop',
  occurrence: 'discrepancy:1',
  at: '2026-11-11T02:00:00.000Z',
  details: {},
};

/** A body that never ends: 1 KiB every few milliseconds, for as long as someone reads it. */
function endless(): Readable {
  return new Readable({
    read() {
      setTimeout(() => {
        if (!this.destroyed) this.push(Buffer.alloc(1024, 'x'));
      }, 2).unref();
    },
  });
}

describe('downstream answers', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  describe('HttpIssuer.issue', () => {
    const issuer = new HttpIssuer({ baseUrl: BASE, timeoutMs: 5_000, secrets: [ISSUER_SECRET] });

    it.each([301, 302, 303, 307, 308])(
      'does not follow a %i: the grant is retried, never counted delivered',
      async (status) => {
        // Followed, a 303 (and in Node's fetch a 301 or 302) would GET the listing, which answers 200.
        const listing = nock(BASE).get('/grants').query(true).reply(200, { records: [], nextCursor: null });
        const moved = nock(BASE)
          .post('/grants')
          .reply(status, '', { Location: `${BASE}/grants` });
        expect(await issuer.issue(grant)).toEqual({
          kind: 'retry',
          reason: `HTTP ${status}: redirect to ${BASE}/grants not followed`,
        });
        expect(moved.isDone()).toBe(true);
        expect(listing.isDone()).toBe(false);
      },
    );

    it('does not send the grant on to another host a 307 points at', async () => {
      const elsewhere = nock('http://elsewhere.downstream.test').post('/grants').reply(201, {});
      nock(BASE).post('/grants').reply(307, '', { Location: 'http://elsewhere.downstream.test/grants' });
      expect(await issuer.issue(grant)).toMatchObject({ kind: 'retry' });
      expect(elsewhere.isDone()).toBe(false);
    });

    it.each([
      ['an empty 204', 204, ''],
      ['an empty 200', 200, ''],
      ['a 200 that is not JSON', 200, '<html>ok</html>'],
      ['a 201 of another shape', 201, '[{"unexpected":true}]'],
    ])('delivers on %s: the status decides (issuer protocol)', async (_what, status, body) => {
      nock(BASE).post('/grants').reply(status, body);
      expect(await issuer.issue(grant)).toEqual({ kind: 'delivered', status });
    });

    it('delivers on a 200 whose body breaks off: the issuer answered', async () => {
      let sent = false;
      const broken = new Readable({
        read() {
          if (sent) return;
          sent = true;
          this.push('{"sta');
          setImmediate(() =>
            this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
          );
        },
      });
      nock(BASE)
        .post('/grants')
        .reply(200, () => broken);
      expect(await issuer.issue(grant)).toEqual({ kind: 'delivered', status: 200 });
    });

    it('retries a connection reset before the answer, with the same key', async () => {
      const keys: unknown[] = [];
      nock(BASE)
        .post('/grants')
        .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
        .post('/grants')
        .reply(function () {
          keys.push(this.req.headers['idempotency-key']);
          return [409, {}];
        });
      expect(await issuer.issue(grant)).toMatchObject({ kind: 'retry' });
      expect(await issuer.issue(grant)).toEqual({ kind: 'delivered', status: 409 });
      expect(keys).toEqual([grant.grantId]);
    });

    it('delivers on a 200 with an endless body without waiting for the timeout', async () => {
      nock(BASE).post('/grants').reply(200, endless);
      const started = Date.now();
      expect(await issuer.issue(grant)).toEqual({ kind: 'delivered', status: 200 });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('keeps the start of an endless refusal as its message, without waiting for the timeout', async () => {
      nock(BASE).post('/grants').reply(422, endless);
      const started = Date.now();
      expect(await issuer.issue(grant)).toEqual({ kind: 'rejected', status: 422, message: 'x'.repeat(500) });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('reads no more than the start of a huge refusal', async () => {
      nock(BASE)
        .post('/grants')
        .reply(422, `insufficient funds${' '.repeat(20 * 1024 * 1024)}`);
      expect(await issuer.issue(grant)).toEqual({
        kind: 'rejected',
        status: 422,
        message: `insufficient funds${' '.repeat(482)}`,
      });
    });
  });

  describe('WebhookNotifier.send', () => {
    const notifier = (attempts = 1) =>
      new WebhookNotifier({
        url: `${HOOK}/pocket`,
        secret: 's',
        attempts,
        timeoutMs: 5_000,
        sleep: async () => {},
      });

    it.each([301, 302, 303])('does not count a %i as sent: the message never arrived', async (status) => {
      const got = nock(HOOK).get('/elsewhere').reply(200, 'welcome');
      nock(HOOK)
        .post('/pocket')
        .reply(status, '', { Location: `${HOOK}/elsewhere` });
      await expect(notifier(3).send(message)).rejects.toThrow(`HTTP ${status}`);
      expect(got.isDone()).toBe(false);
    });

    it('returns at once on a 200 with an endless body', async () => {
      nock(HOOK).post('/pocket').reply(200, endless);
      const started = Date.now();
      await notifier().send(message);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe('postJson', () => {
    it('refuses an endless answer as too large as soon as it passes maxBytes', async () => {
      nock(SCORES).post('/scores').reply(200, endless);
      const started = Date.now();
      await expect(
        postJson({
          dependency: 'recommendation',
          url: `${SCORES}/scores`,
          body: {},
          timeoutMs: 5_000,
          maxBytes: 4096,
        }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/too large/) });
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('counts maxBytes in bytes', async () => {
      // 3000 characters, 6000 bytes of UTF-8.
      nock(SCORES)
        .post('/scores')
        .reply(200, JSON.stringify({ scores: { [`é`.repeat(3000)]: 1 } }));
      await expect(
        postJson({ dependency: 'risk', url: `${SCORES}/scores`, body: {}, timeoutMs: 5_000, maxBytes: 4096 }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/too large/) });
    });
  });
});
