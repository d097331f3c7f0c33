/**
 * The sandbox issuer speaks the issuer protocol over HTTP: the HTTP issuer client pointed at a running pocket's
 * /sandbox/issuer issues idempotently (201, then 409 = delivered) and pages the issued records. It verifies what
 * it receives as an issuer should: a request without a valid, recent signature made with the service's
 * WEBHOOK_SECRET (or WEBHOOK_SECRET_PREVIOUS, during a rotation) is refused, 401, and issues nothing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { currentAndPrevious } from '../../../src/config';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import type { IssueRequest } from '../../../src/integrations/issuer';
import { signatureHeaders } from '../../../src/integrations/notification-signature';
import type { Pocket } from '../../../src/server';
import { AT, DEFINITIONS } from '../../helpers/delivery';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import { sandboxSignature } from '../../helpers/signed-request';

/** The value WEBHOOK_SECRET_PREVIOUS holds in this pocket: the secret a rotation is replacing. */
const OLD_SECRET = 'old-webhook-secret-0123456789abcdefghijkl';

function grant(grantId: string, amount: number): IssueRequest {
  return {
    grantId,
    campaignId: 'bulk-drop',
    userId: `u-${grantId}`,
    rewardId: 'rp-small',
    type: 'red_packet',
    amount,
    currency: 'CNY',
    businessDate: '2026-11-11',
    grantedAt: '2026-11-11T02:00:00.000Z',
    test: false,
  };
}

describeEachBackend('the sandbox issuer over HTTP', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let server: Server;
  let issuer: HttpIssuer;
  /** An HTTP issuer client on this pocket's sandbox signing with `secrets`. */
  let signingWith: (secrets: readonly string[]) => HttpIssuer;

  beforeAll(async () => {
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      clock: () => AT,
      config: {
        definitionsRoot: DEFINITIONS,
        previousSecrets: { activityCode: null, webhook: OLD_SECRET, userToken: null },
      },
    });
    server = await new Promise<Server>((resolve) => {
      const s = pocket.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    signingWith = (secrets) =>
      new HttpIssuer({
        baseUrl: `http://127.0.0.1:${port}/sandbox/issuer/`,
        timeoutMs: 2000,
        secrets,
        clock: () => AT,
      });
    // As the worker's own client: the current secret, then the previous one.
    issuer = signingWith(currentAndPrevious(pocket.config, 'webhook'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pocket?.close();
    await backends?.destroy();
  });

  it('issues once per key and pages what it issued', async () => {
    expect(await issuer.issue(grant('g-1', 50))).toEqual({ kind: 'delivered', status: 201 });
    expect(await issuer.issue(grant('g-1', 50))).toEqual({ kind: 'delivered', status: 409 });
    expect(await issuer.issue(grant('g-2', 70))).toEqual({ kind: 'delivered', status: 201 });
    const query = { since: new Date(AT.getTime() - 1000), until: new Date(AT.getTime() + 1000), limit: 1 };
    const first = await issuer.listIssued({ ...query, cursor: null });
    expect(first.records).toEqual([{ grantId: 'g-1', rewardId: 'rp-small', amount: 50, issuedAt: AT }]);
    expect(first.nextCursor).not.toBeNull();
    const second = await issuer.listIssued({ ...query, cursor: first.nextCursor });
    expect(second).toEqual({
      records: [{ grantId: 'g-2', rewardId: 'rp-small', amount: 70, issuedAt: AT }],
      nextCursor: null,
    });
    expect((await issuer.listIssued({ ...query, until: AT, cursor: null })).records).toEqual([]);
  });

  it('refuses malformed requests with 400 (a refused grant, for the relay)', async () => {
    const refused = await issuer.issue({ ...grant('g-3', 10), amount: -1 });
    expect(refused).toMatchObject({ kind: 'rejected', status: 400 });
    const body = JSON.stringify(grant('g-4', 10));
    const noKey = await request(pocket.app)
      .post('/sandbox/issuer/grants')
      .type('json')
      .set(sandboxSignature(pocket, body, AT))
      .send(body);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.fields).toEqual([
      { path: 'Idempotency-Key', message: 'must be present and equal grantId' },
    ]);
    const get = (target: string) =>
      request(pocket.app)
        .get(target)
        .set(sandboxSignature(pocket, target, AT));
    expect((await get('/sandbox/issuer/grants?since=x&until=y')).status).toBe(400);
    const at = AT.toISOString();
    expect((await get(`/sandbox/issuer/grants?since=${at}&until=${at}&cursor=nonsense`)).status).toBe(400);
  });

  it('refuses an unsigned, tampered, stale or wrongly keyed grant with 401, and issues nothing', async () => {
    const body = JSON.stringify(grant('g-unsigned', 10));
    const post = (headers: Record<string, string>, sent = body) =>
      request(pocket.app)
        .post('/sandbox/issuer/grants')
        .type('json')
        .set('Idempotency-Key', 'g-unsigned')
        .set(headers)
        .send(sent);
    const refusals = [
      await post({}),
      // Signed for 10, sent for 10000.
      await post(sandboxSignature(pocket, body, AT), body.replace('"amount":10', '"amount":10000')),
      // A capture replayed 6 minutes later.
      await post(sandboxSignature(pocket, body, new Date(AT.getTime() - 360_000))),
      await post(signatureHeaders('someone-elses-secret-0123456789abcdef', body, AT)),
      // Refused before its body is parsed: an unsigned or wrongly signed malformed body is 401, not 400,
      await post({}, '{"grantId":'),
      await post(sandboxSignature(pocket, body, AT), '{"grantId":'),
      // and an unsigned one of another media type 401, not 415.
      await request(pocket.app).post('/sandbox/issuer/grants').type('text').send('grant, please'),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(refusals[0]?.body).toEqual({
      error: {
        code: 'unauthenticated',
        message:
          'unsigned request: an issuer takes requests signed by pocket only (X-Pocket-Timestamp, X-Pocket-Signature)',
      },
    });
    expect(refusals[0]?.headers['www-authenticate']).toBe('Pocket-Signature realm="pocket"');
    expect(refusals[1]?.body.error.message).toMatch(
      /^X-Pocket-Signature does not verify with WEBHOOK_SECRET/,
    );
    // The client pocket's relay uses: a grant signed with another secret is retried, the secrets named.
    expect(
      await signingWith(['someone-elses-secret-0123456789abcdef']).issue(grant('g-other', 5)),
    ).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/^HTTP 401: the issuer refused pocket's signature; check WEBHOOK_SECRET/),
      signatureRefused: true,
    });
    // Signed properly, it is issued: nothing before was.
    expect(await post(sandboxSignature(pocket, body, AT))).toMatchObject({ status: 201 });
    const since = new Date(AT.getTime() - 1000).toISOString();
    const until = new Date(AT.getTime() + 1000).toISOString();
    const listed = await issuer.listIssued({
      since: new Date(since),
      until: new Date(until),
      cursor: null,
      limit: 100,
    });
    expect(listed.records.map((r) => r.grantId)).not.toContain('g-other');
    expect(listed.records.find((r) => r.grantId === 'g-unsigned')).toMatchObject({ amount: 10 });
  });

  it('refuses a listing that is unsigned, stale, or signed for another query (the signature covers it)', async () => {
    const since = new Date(AT.getTime() - 1000).toISOString();
    const until = new Date(AT.getTime() + 1000).toISOString();
    const target = `/sandbox/issuer/grants?since=${since}&until=${until}&limit=10`;
    const get = (sent: string, headers: Record<string, string>) => request(pocket.app).get(sent).set(headers);
    expect((await get(target, sandboxSignature(pocket, target, AT))).status).toBe(200);
    const refused = [
      await get(target, {}),
      await get(target, sandboxSignature(pocket, target, new Date(AT.getTime() + 301_000))),
      // A captured signature reused for another window, or another page size.
      await get(target.replace(since, '2000-01-01T00:00:00.000Z'), sandboxSignature(pocket, target, AT)),
      await get(target.replace('limit=10', 'limit=1000'), sandboxSignature(pocket, target, AT)),
      // Or for another path: the signature covers the path too.
      await get(`/sandbox/issuer/grants/?${target.split('?')[1]}`, sandboxSignature(pocket, target, AT)),
    ];
    expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual(
      Array.from({ length: 5 }, () => [401, 'unauthenticated']),
    );
  });

  it('during a rotation takes a request signed with either secret: an instance not yet restarted signs with the old one', async () => {
    expect(await signingWith([OLD_SECRET]).issue(grant('g-old', 5))).toEqual({
      kind: 'delivered',
      status: 201,
    });
    expect(await signingWith([pocket.config.secrets.webhook]).issue(grant('g-new', 5))).toEqual({
      kind: 'delivered',
      status: 201,
    });
    const page = await signingWith([OLD_SECRET]).listIssued({
      since: new Date(AT.getTime() - 1000),
      until: new Date(AT.getTime() + 1000),
      cursor: null,
      limit: 1000,
    });
    expect(page.records.map((r) => r.grantId)).toEqual(expect.arrayContaining(['g-old', 'g-new']));
  });
});
