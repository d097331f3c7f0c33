/**
 * The sandbox issuer speaks the issuer protocol over HTTP: the HTTP issuer client pointed at a running pocket's
 * /sandbox/issuer issues idempotently (201, then 409 = delivered) and pages the issued records.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import type { IssueRequest } from '../../../src/integrations/issuer';
import type { Pocket } from '../../../src/server';
import { AT, DEFINITIONS } from '../../helpers/delivery';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';

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

  beforeAll(async () => {
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, { clock: () => AT, config: { definitionsRoot: DEFINITIONS } });
    server = await new Promise<Server>((resolve) => {
      const s = pocket.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    issuer = new HttpIssuer({ baseUrl: `http://127.0.0.1:${port}/sandbox/issuer/`, timeoutMs: 2000 });
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
    const noKey = await request(pocket.app).post('/sandbox/issuer/grants').send(grant('g-4', 10));
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.fields).toEqual([
      { path: 'Idempotency-Key', message: 'must be present and equal grantId' },
    ]);
    const badQuery = await request(pocket.app)
      .get('/sandbox/issuer/grants')
      .query({ since: 'x', until: 'y' });
    expect(badQuery.status).toBe(400);
    const badCursor = await request(pocket.app)
      .get('/sandbox/issuer/grants')
      .query({ since: AT.toISOString(), until: AT.toISOString(), cursor: 'nonsense' });
    expect(badCursor.status).toBe(400);
  });
});
