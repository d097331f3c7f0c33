/**
 * HttpIssuer.listIssued against a nock issuer and a closed port: a page is parsed; every way the listing can fail
 * (an error status, a body that is not JSON or not a page, a timeout, nobody listening) is an IssuerListingError
 * naming the issuer, its listing URL and the reason in a few words, never a bare "fetch failed".
 */
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import nock from 'nock';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import { IssuerListingError } from '../../../src/integrations/issuer-listing-error';
import { MAX_PAGE_BYTES } from '../../../src/integrations/http-issuer';
import { verifyTargetSignature } from '../../../src/integrations/notification-signature';

const BASE = 'http://coupon.http-issuer-listing.test';
const ISSUER_SECRET = 'issuer-secret-0123456789abcdefghijklmnop';
const query = {
  since: new Date('2026-11-11T00:00:00Z'),
  until: new Date('2026-11-11T01:00:00Z'),
  cursor: null,
  limit: 2,
};

async function failure(issuer: HttpIssuer): Promise<IssuerListingError> {
  const error: unknown = await issuer.listIssued(query).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof IssuerListingError)) throw new Error(`not an IssuerListingError: ${String(error)}`);
  return error;
}

describe('HttpIssuer.listIssued', () => {
  const issuer = new HttpIssuer({ baseUrl: `${BASE}/`, timeoutMs: 2000, secrets: [ISSUER_SECRET] });

  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  const answer = (status: number, body: string | Record<string, unknown>) =>
    nock(BASE).get('/grants').query(true).reply(status, body);

  it('reads a page', async () => {
    answer(200, {
      records: [{ grantId: 'g-1', rewardId: 'c', amount: 320, issuedAt: '2026-11-11T00:30:00.000Z' }],
      nextCursor: 'n',
    });
    expect(await issuer.listIssued(query)).toEqual({
      records: [{ grantId: 'g-1', rewardId: 'c', amount: 320, issuedAt: new Date('2026-11-11T00:30:00Z') }],
      nextCursor: 'n',
    });
  });

  it('signs the request over its path and query as sent, so the signature covers the query', async () => {
    const now = new Date('2026-11-11T02:00:00Z');
    const old = 'old-issuer-secret-0123456789abcdefghijklm';
    const seen: Array<{ target: string; timestamp: string; signature: string }> = [];
    nock(`${BASE}/base`)
      .get('/grants')
      .query(true)
      .times(2)
      .reply(function () {
        seen.push({
          target: this.req.path,
          timestamp: this.req.headers['x-pocket-timestamp'] as string,
          signature: this.req.headers['x-pocket-signature'] as string,
        });
        return [200, { records: [], nextCursor: null }];
      });
    const signing = new HttpIssuer({
      baseUrl: `${BASE}/base/`,
      timeoutMs: 2000,
      secrets: [ISSUER_SECRET, old],
      clock: () => now,
    });
    await signing.listIssued(query);
    await signing.listIssued({ ...query, cursor: 'next page' });
    const [first, second] = seen;
    if (!first || !second) throw new Error('expected two requests');
    expect(first.target).toBe(
      '/base/grants?since=2026-11-11T00%3A00%3A00.000Z&until=2026-11-11T01%3A00%3A00.000Z&limit=2',
    );
    expect(second.target).toBe(`${first.target}&cursor=next+page`);
    const verifies = (request: typeof first, target: string, secret = ISSUER_SECRET) =>
      verifyTargetSignature({
        secret,
        target,
        timestamp: request.timestamp,
        signature: request.signature,
        now,
      });
    // Either secret during a rotation; each signature for its own query only.
    expect(verifies(first, first.target)).toBe(true);
    expect(verifies(first, first.target, old)).toBe(true);
    expect(verifies(second, second.target)).toBe(true);
    expect(verifies(first, second.target)).toBe(false);
    expect(verifies(first, first.target.replace('limit=2', 'limit=500'))).toBe(false);
    expect(verifies(first, first.target.replace('/base', ''))).toBe(false);
    expect(verifies(first, first.target, 'another-secret-0123456789abcdefghijklmno')).toBe(false);
  });

  it.each([
    [500, 'oops', 'answered HTTP 500'],
    [404, { error: 'no' }, 'answered HTTP 404'],
    [
      401,
      { error: 'bad signature' },
      "answered HTTP 401: the issuer refused pocket's signature; check WEBHOOK_SECRET (and WEBHOOK_SECRET_PREVIOUS) on both sides",
    ],
    [200, 'not json', 'answered something that is not JSON: "not json"'],
    [200, { records: 'x' }, 'answered an invalid issued-records page: records must be an array'],
  ])('fails on %i %j: %s', async (status, body, reason) => {
    answer(status, body);
    const error = await failure(issuer);
    expect([error.issuer, error.url, error.reason]).toEqual([BASE, `${BASE}/grants`, reason]);
    expect(error.message).toBe(`cannot read issuer ${BASE}/grants: ${reason}`);
  });

  it('fails on a page too large to be one, as soon as it passes the cap, without buffering the rest', async () => {
    // An issuer that ignores `limit` (or a misrouted URL streaming a file) used to be buffered whole, until the
    // timeout: a worker could run out of memory and take the relay down with it.
    let sent = 0;
    const flood = new Readable({
      read() {
        setImmediate(() => {
          if (this.destroyed) return;
          sent += 1024 * 1024;
          this.push(Buffer.alloc(1024 * 1024, ' '));
        });
      },
    });
    nock(BASE)
      .get('/grants')
      .query(true)
      .reply(200, () => flood);
    const patient = new HttpIssuer({ baseUrl: BASE, timeoutMs: 20_000, secrets: [ISSUER_SECRET] });
    const started = Date.now();
    const error = await failure(patient);
    expect(error.reason).toBe(
      `answered a page larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB (2 records asked for): does it honour limit?`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sent).toBeLessThan(MAX_PAGE_BYTES + 8 * 1024 * 1024);
  });

  it('fails on a timeout', async () => {
    nock(BASE).get('/grants').query(true).delay(1000).reply(200, { records: [], nextCursor: null });
    const impatient = new HttpIssuer({ baseUrl: BASE, timeoutMs: 100, secrets: [ISSUER_SECRET] });
    expect((await failure(impatient)).reason).toBe('no answer within 100 ms');
  });

  it('fails when nobody listens, with the socket reason', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port');
    const base = `http://127.0.0.1:${address.port}`;
    const error = await failure(new HttpIssuer({ baseUrl: base, timeoutMs: 2000, secrets: [ISSUER_SECRET] }));
    expect(error.message).toBe(
      `cannot read issuer ${base}/grants: connect ECONNREFUSED 127.0.0.1:${address.port}`,
    );
  });
});
