/**
 * The HTTP issuer against a nock issuer: what each answer means for the relay (issuer.ts protocol). 408, 429,
 * 5xx and a timeout say "try again later" (retry), and so does 401 (the issuer did not verify pocket's signature:
 * fix the secrets, the grant is fine); any other 4xx, 403 included, refuses the grant for good; 2xx and 409
 * deliver.
 */
import nock from 'nock';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import type { IssueRequest } from '../../../src/integrations/issuer';
import { verifySignature } from '../../../src/integrations/notification-signature';
import { useStrictNock } from './http-client-fixtures';

const BASE = 'http://wallet.http-issuer.test';
const ISSUER_SECRET = 'issuer-secret-0123456789abcdefghijklmnop';

const grant: IssueRequest = {
  grantId: 'g-1',
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

describe('HttpIssuer.issue', () => {
  // 1 s: at 100 ms a cold jest worker's first nock answer can miss the timeout on a busy CI host.
  const issuer = new HttpIssuer({ baseUrl: `${BASE}/`, timeoutMs: 1000, secrets: [ISSUER_SECRET] });

  useStrictNock({ abortPending: true });

  /** One answer from the issuer, checking the key the request carried. */
  const answer = (status: number) =>
    nock(BASE, { reqheaders: { 'idempotency-key': grant.grantId } })
      .post('/grants', { ...grant })
      .reply(status, { status });

  it.each([408, 429, 500, 503])('retries on %i', async (status) => {
    answer(status);
    expect(await issuer.issue(grant)).toEqual({ kind: 'retry', reason: `HTTP ${status}` });
  });

  it("passes an issuer's Retry-After on with the retry, and ignores one it cannot read", async () => {
    nock(BASE).post('/grants').reply(429, '', { 'Retry-After': '30' });
    expect(await issuer.issue(grant)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429 (Retry-After 30 s)',
      retryAfterMs: 30_000,
    });
    nock(BASE).post('/grants').reply(503, '', { 'Retry-After': 'later' });
    expect(await issuer.issue(grant)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
  });

  it('retries when the issuer does not answer within the timeout', async () => {
    // The answer would be a success, but it comes after the timeout: the grant is not known to be issued.
    // (The answer comes long after the 1 s timeout, and the bound is wide of both, so a late timer on a busy
    // host cannot fail the test; it was 1000 ms and 900 ms.)
    nock(BASE).post('/grants').delay(10_000).reply(201, { status: 201 });
    const started = Date.now();
    // 'timeout' in Node; under jest the DOMException is not an Error of the test's realm, so it is stringified.
    expect(await issuer.issue(grant)).toEqual({ kind: 'retry', reason: expect.stringMatching(/timeout/i) });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("retries on 401, its reason naming the secrets to check: a verdict on pocket's signature, not the grant", async () => {
    nock(BASE)
      .post('/grants')
      .reply(401, { error: { code: 'unauthenticated', message: 'bad signature' } });
    expect(await issuer.issue(grant)).toEqual({
      kind: 'retry',
      reason:
        "HTTP 401: the issuer refused pocket's signature; check WEBHOOK_SECRET (and WEBHOOK_SECRET_PREVIOUS) on " +
        'both sides (it answered {"error":{"code":"unauthenticated","message":"bad signature"}})',
      signatureRefused: true,
    });
    nock(BASE).post('/grants').reply(401);
    expect(await issuer.issue(grant)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/sides$/),
    });
  });

  it.each([400, 403, 404, 422])('refuses the grant for good on %i', async (status) => {
    answer(status);
    expect(await issuer.issue(grant)).toMatchObject({ kind: 'rejected', status });
  });

  it.each([200, 201, 409])('delivers on %i', async (status) => {
    answer(status);
    expect(await issuer.issue(grant)).toEqual({ kind: 'delivered', status });
  });

  describe('signs each grant as webhooks are signed, over the exact body it sends', () => {
    const now = new Date('2026-11-11T02:00:00Z');
    const OLD = 'old-issuer-secret-0123456789abcdefghijklm';

    /** One POST, answered 201: what the issuer received. */
    async function received(secrets: readonly string[]) {
      let seen: { body: string; timestamp: string | undefined; signature: string | undefined } | undefined;
      nock(BASE)
        .post('/grants')
        .reply(function (_uri, body) {
          seen = {
            // nock hands a JSON body back parsed; pocket sends JSON.stringify of the request.
            body: typeof body === 'string' ? body : JSON.stringify(body),
            timestamp: this.req.headers['x-pocket-timestamp'] as string | undefined,
            signature: this.req.headers['x-pocket-signature'] as string,
          };
          return [201, {}];
        });
      const signing = new HttpIssuer({ baseUrl: BASE, timeoutMs: 2000, secrets, clock: () => now });
      expect(await signing.issue(grant)).toEqual({ kind: 'delivered', status: 201 });
      if (!seen) throw new Error('nothing received');
      return seen;
    }
    const verifies = (seen: Awaited<ReturnType<typeof received>>, secret: string) =>
      verifySignature({ secret, now, body: seen.body, timestamp: seen.timestamp, signature: seen.signature });

    it('X-Pocket-Timestamp and X-Pocket-Signature verify with the secret, and not with another', async () => {
      const seen = await received([ISSUER_SECRET]);
      expect(seen.body).toBe(JSON.stringify(grant));
      expect(seen.timestamp).toBe(String(now.getTime() / 1000));
      expect(seen.signature).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(verifies(seen, ISSUER_SECRET)).toBe(true);
      expect(verifies(seen, OLD)).toBe(false);
      expect(
        verifies({ ...seen, body: seen.body.replace('"amount":50', '"amount":5000') }, ISSUER_SECRET),
      ).toBe(false);
    });

    it('carries both signatures during a rotation, the current one first', async () => {
      const seen = await received([ISSUER_SECRET, OLD]);
      expect(seen.signature).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
      expect(verifies(seen, ISSUER_SECRET)).toBe(true);
      expect(verifies(seen, OLD)).toBe(true);
      const [first] = (seen.signature ?? '').split(',');
      expect(verifies({ ...seen, signature: first }, ISSUER_SECRET)).toBe(true);
    });
  });
});
