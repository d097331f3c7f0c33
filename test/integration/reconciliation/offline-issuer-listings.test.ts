/**
 * Offline reconciliation against issuer listings that cannot be trusted, on both backend pairs (nock issuers):
 * - a listing that does not reach its end (a cursor that comes back, or more pages than maxPages), an issuer
 *   that answers 500 or garbage, or one that is down fails the run: recorded as failed, naming the issuer,
 *   with nothing redelivered and nothing resolved (read as complete, it would pay every grant twice);
 * - a grant listed twice by one issuer, or by two with one of them listing it twice, is one issued_twice
 *   discrepancy, in the grant's campaign.
 */
import { createServer } from 'node:net';
import nock from 'nock';
import { HttpIssuer } from '../../../src/integrations/http-issuer';
import type { Issuer } from '../../../src/integrations/issuer';
import { IssuerListingError } from '../../../src/integrations/issuer-listing-error';
import { KnexSandboxIssuedStore } from '../../../src/integrations/knex-sandbox-issued-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../../src/observability/logger';
import { KnexReconciliationReads } from '../../../src/reconciliation/knex-reconciliation-reads';
import {
  OfflineReconciler,
  type OfflineSettings,
  type OfflineSummary,
} from '../../../src/reconciliation/offline-reconciler';
import type { Pocket } from '../../../src/server';
import {
  grantsFor,
  grantStatuses,
  AT,
  BULK,
  users,
  type FakeClock,
  startReconciliationRig,
  type ReconciliationRig,
} from '../../helpers/delivery';
import type { FakeIssuer } from '../../helpers/fake-issuer';
import { describeEachBackend, type TestBackends } from '../../helpers/pocket';

const WALLET = 'http://wallet.offline-listings.test';
const OTHER = 'http://other.offline-listings.test';
const HOOK = 'http://hooks.offline-listings.test';
const HOUR = 3_600_000;
/** What these issuers' requests are signed with (the listings here check answers, not signatures). */
const ISSUER_SECRET = 'issuer-secret-0123456789abcdefghijklmnop';

type Page = { records: unknown[]; nextCursor: string | null };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeEachBackend('offline reconciliation of untrustworthy listings', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let clock: FakeClock;
  let issuer: FakeIssuer;
  let rig: ReconciliationRig | undefined;
  let ids: string[];
  /** The cursors each GET to OTHER carried ('' for the first page). */
  let cursors: string[];

  beforeEach(async () => {
    rig = await startReconciliationRig(backend, WALLET, HOOK);
    ({ backends, pocket, clock, issuer } = rig);
    ids = await grantsFor(pocket, users('listing', 3));
    expect(await pocket.delivery.relay.drain()).toMatchObject({ delivered: 3 });
    clock.advance(2 * HOUR);
    cursors = [];
  });
  afterEach(() => rig?.close());

  const db = () => backends.ledger.db;
  /** OTHER answers GET /grants with `answer(cursor)`. */
  const serve = (answer: (cursor: string) => [number, Page | string]) =>
    nock(OTHER)
      .persist()
      .get('/grants')
      .query(true)
      .reply((uri) => {
        const cursor = new URL(uri, OTHER).searchParams.get('cursor') ?? '';
        cursors.push(cursor);
        return answer(cursor);
      });
  /** The wallet's records, as it lists them. */
  const walletRecords = () =>
    ids.map((grantId) => {
      const entry = issuer.issued.get(grantId);
      if (!entry) throw new Error('not issued');
      const { rewardId, amount } = entry.body;
      return { grantId, rewardId, amount, issuedAt: entry.issuedAt.toISOString() };
    });
  const reconciler = (issuers: Issuer[], settings: Partial<OfflineSettings> = {}) =>
    new OfflineReconciler({
      db: db(),
      issuers: { all: () => issuers, forGrant: (grant) => pocket.delivery.issuers.forGrant(grant) },
      grants: new KnexGrantStore(),
      outbox: new KnexOutboxStore(),
      reads: new KnexReconciliationReads(),
      discrepancies: pocket.delivery.discrepancies,
      runs: pocket.delivery.runs,
      alerts: pocket.delivery.alerts,
      clock,
      logger: silentLogger(),
      settings: { maxPages: 50, ...settings },
    });
  const since = new Date(AT.getTime() - HOUR);
  const other = new HttpIssuer({ baseUrl: OTHER, timeoutMs: 2000, secrets: [ISSUER_SECRET] });

  /** The run failed with `message`, is recorded as failed, and changed nothing in the ledger. */
  async function expectFailedRun(offline: OfflineReconciler, message: string): Promise<void> {
    clock.advance(60_000); // the latest run is this one
    let summary: OfflineSummary | undefined;
    const error = await offline.run({ since }).then(
      (s) => {
        summary = s;
        return null;
      },
      (e: unknown) => e,
    );
    expect(summary).toBeUndefined();
    expect(error).toBeInstanceOf(IssuerListingError);
    expect((error as Error).message).toBe(message);
    const [run] = await pocket.delivery.runs.latest(db(), 'offline', 1);
    expect(run).toMatchObject({ status: 'failed', error: message });
    expect(Object.values(await grantStatuses(db(), ids))).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await db()('outbox').whereIn('grant_id', ids).pluck('status')).toEqual(['done', 'done', 'done']);
    expect(await pocket.delivery.discrepancies.list(db())).toEqual([]);
    expect(await pocket.delivery.relay.drain()).toMatchObject({ claimed: 0 });
  }

  it('fails the run at once on a cursor that comes back, instead of paying every grant again', async () => {
    serve(() => [200, { records: [], nextCursor: 'same' }]);
    await expectFailedRun(
      reconciler([other]),
      `cannot read issuer ${OTHER}/grants: the listing never ends: cursor "same" came back after page 2`,
    );
    expect(cursors).toEqual(['', 'same']);
  });

  it('fails the run on a listing that has not ended after maxPages pages', async () => {
    serve((cursor) => [200, { records: [], nextCursor: String(Number(cursor) + 1) }]);
    await expectFailedRun(
      reconciler([other], { maxPages: 4 }),
      `cannot read issuer ${OTHER}/grants: the listing did not end within 4 pages`,
    );
    expect(cursors).toEqual(['', '1', '2', '3']);
  });

  it('fails the run when an issuer answers 500 or garbage, after a good first page', async () => {
    serve((cursor) =>
      cursor === '' ? [200, { records: walletRecords(), nextCursor: 'p2' }] : [500, 'oops'],
    );
    await expectFailedRun(reconciler([other]), `cannot read issuer ${OTHER}/grants: answered HTTP 500`);
    nock.cleanAll();
    serve(() => [200, '<html>maintenance</html>']);
    await expectFailedRun(
      reconciler([other]),
      `cannot read issuer ${OTHER}/grants: answered something that is not JSON: "<html>maintenance</html>"`,
    );
  });

  it('fails the run when an issuer is down, naming it, its URL and the reason', async () => {
    const port = await closedPort();
    const down = new HttpIssuer({
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 2000,
      secrets: [ISSUER_SECRET],
    });
    await expectFailedRun(
      reconciler([pocket.delivery.issuers.sandbox, down]),
      `cannot read issuer http://127.0.0.1:${port}/grants: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('reports a grant one issuer lists twice as one issued_twice in its campaign, not as matched', async () => {
    const records = walletRecords();
    const [twice] = records;
    if (!twice) throw new Error('no record');
    // Listed on the first page and again on the second.
    serve((cursor) =>
      cursor === '' ? [200, { records, nextCursor: 'p2' }] : [200, { records: [twice], nextCursor: null }],
    );
    const summary = await reconciler([other]).run({ since });
    expect(summary).toMatchObject({
      issuers: [{ name: OTHER, records: 4 }],
      ledgerDelivered: 3,
      matched: 2,
      redelivered: 0,
      found: { issued_twice: 1 },
      unresolved: 1,
    });
    const listed = await pocket.delivery.discrepancies.list(db(), {
      campaignId: BULK,
      kinds: ['issued_twice'],
    });
    expect(listed.map((d) => [d.kind, d.campaignId, d.grantId, d.status, d.details['issuers']])).toEqual([
      ['issued_twice', BULK, twice.grantId, 'open', [OTHER, OTHER]],
    ]);
    // Seen again: the same discrepancy, still open; gone downstream: resolved.
    expect(await reconciler([other]).run({ since })).toMatchObject({
      found: { issued_twice: 1 },
      unresolved: 1,
    });
    nock.cleanAll();
    serve(() => [200, { records, nextCursor: null }]);
    expect(await reconciler([other]).run({ since })).toMatchObject({
      matched: 3,
      found: {},
      resolvedEarlier: 1,
    });
  });

  it('counts a grant listed by two issuers, one of them twice, as one issued_twice', async () => {
    const records = walletRecords();
    const [twice] = records;
    const entry = twice ? issuer.issued.get(twice.grantId) : undefined;
    if (!twice || !entry) throw new Error('no record');
    serve(() => [200, { records: [...records, twice], nextCursor: null }]);
    await new KnexSandboxIssuedStore().insert(db(), { ...entry.body, issuedAt: AT });
    const summary = await reconciler([other, pocket.delivery.issuers.sandbox]).run({ since });
    expect(summary).toMatchObject({ matched: 2, found: { issued_twice: 1 }, unresolved: 1 });
    const open = await pocket.delivery.discrepancies.list(db(), { status: 'open' });
    expect(open.map((d) => [d.kind, d.campaignId, d.grantId, d.details['issuers']])).toEqual([
      ['issued_twice', BULK, twice.grantId, [OTHER, OTHER, 'sandbox']],
    ]);
  });
});
