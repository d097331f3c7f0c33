/**
 * Admin requests on a ledger whose connections go silent (a failover in progress: what was sent is neither
 * answered nor refused). Their transactions had no deadline: a publish, rollback, pause or resume waited until TCP
 * gave up, and PostgreSQL kept that session, its advisory lock and its row locks, as long as the proxy in between
 * kept the connection, so every later change of the campaign waited too. Now a statement left unanswered for the
 * change deadline is a 503 dependency_unavailable with Retry-After, the transaction is rolled back (a publish of
 * several campaigns all or nothing), and PostgreSQL ends the session by itself, freeing its locks.
 *
 * PostgreSQL is reached through a TCP proxy of the test's own that holds back what it is told to.
 */
import request from 'supertest';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { LEDGER_CHANGE_DEADLINE_MS } from '../../../src/ledger/db';
import { KnexAuditStore } from '../../../src/ledger/knex-audit-store';
import { KnexCampaignVersionStore } from '../../../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { silentLogger } from '../../../src/observability/logger';
import { silentNotifier } from '../../../src/publishing/change-notifier';
import { LedgerLifecycle } from '../../../src/publishing/ledger-lifecycle';
import { createPocket, type Pocket } from '../../../src/server';
import { settledWithin } from '../../../src/shared/settled-within';
import { pocket as runPocket } from '../../e2e/cli/run-pocket';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { testConfig } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';
import { AT, createDefinitionsRepo, publishOptions, type DefinitionsRepo } from './publishing-fixtures';

const DEADLINE_MS = 1500;

describeWithServices(['DATABASE_URL'], 'admin requests on a ledger that goes silent', () => {
  let ledger: TestLedger;
  let proxy: StallingProxy;
  let repo: DefinitionsRepo;
  let pocket: Pocket;
  let token: string;
  let url: string;
  beforeEach(async () => {
    ledger = await withLedger('postgres');
    const behind = await ledgerBehindProxy(ledger);
    proxy = behind.proxy;
    url = behind.url;
    repo = createDefinitionsRepo({ id: 'stall-a' }, { id: 'stall-b' });
    pocket = await createPocket(
      { ...testConfig(), databaseUrl: url, definitionsRoot: repo.root, publishOnStart: false },
      {
        logger: silentLogger(),
        hotState: new MemoryHotState(),
        clock: () => AT,
        refreshMs: 60_000,
        ledgerChangeDeadlineMs: DEADLINE_MS,
      },
    );
    await pocket.start();
    await pocket.lifecycle.publish(await repo.resolved(), publishOptions());
    token = (await pocket.tokens.create(['publish', 'operate', 'read'])).token;
  });
  afterEach(async () => {
    proxy.stallOn(null);
    proxy.stall(false);
    await pocket.close();
    await proxy.close();
    await ledger.destroy();
    repo.remove();
  });

  /** A change made by another process, straight on the ledger (no proxy, no deadline). */
  const elsewhere = () =>
    new LedgerLifecycle(
      {
        db: ledger.db,
        versions: new KnexCampaignVersionStore(),
        grants: new KnexGrantStore(),
        audit: new KnexAuditStore(),
        notifier: silentNotifier,
        clock: () => AT,
      },
      'elsewhere',
    );

  const post = (path: string, body: object) =>
    request(pocket.app)
      .post(`/admin${path}`)
      .set('Authorization', `Bearer ${token}`)
      .timeout(10_000)
      .send(body);

  const expectUnavailable = (res: request.Response, took: number): void => {
    expect([res.status, res.headers['retry-after']]).toEqual([503, '1']);
    expect(res.body).toMatchObject({ error: { code: 'dependency_unavailable' } });
    expect(took).toBeLessThan(DEADLINE_MS + 3000);
  };

  it('answers a pause left unanswered 503, changes nothing, and PostgreSQL frees its lock', async () => {
    proxy.stallOn('insert into "audit_log"');
    const started = Date.now();
    // Before, the request waited for the ledger for good (a timeout after supertest's 10 s).
    expectUnavailable(await post('/campaigns/stall-a/pause', { note: 'stalled' }), Date.now() - started);
    // The stuck session held the campaign's lifecycle lock: before, another change of it waited for good.
    const other = elsewhere().pause('stall-a', { note: null, author: null });
    expect(await settledWithin(other, 3 * DEADLINE_MS + 3000)).toBe(true);
    // Nothing of the stalled pause was left: this one is the change.
    expect(await other).toMatchObject({ changed: true, paused: true });
    expect(await ledger.db('audit_log').where({ action: 'pause' }).pluck('actor')).toEqual(['elsewhere']);
  }, 30_000);

  it('publishes several campaigns all or nothing when the ledger goes silent halfway', async () => {
    repo.write({ id: 'stall-a', reward: 'thanks' });
    repo.write({ id: 'stall-b', reward: 'thanks' });
    const campaigns = (await repo.resolved()).map((r) => JSON.parse(r.canonical) as object);
    // The first campaign's new version is written and made active, then its audit entry goes unanswered.
    proxy.stallOn('insert into "audit_log"');
    const started = Date.now();
    expectUnavailable(await post('/publish', { campaigns }), Date.now() - started);
    const active = () =>
      ledger.db('campaign_versions').where({ active: true }).orderBy('campaign_id').pluck('version');
    expect(await active()).toEqual([1, 1]);
    // The same publish from elsewhere takes both campaigns' locks once PostgreSQL has ended the stuck session.
    const again = elsewhere().publish(await repo.resolved(), publishOptions());
    expect(await settledWithin(again, 3 * DEADLINE_MS + 3000)).toBe(true);
    expect((await again).map((o) => [o.campaignId, o.status, o.version])).toEqual([
      ['stall-a', 'published', 2],
      ['stall-b', 'published', 2],
    ]);
    expect(await active()).toEqual([2, 2]);
  }, 30_000);

  it('stops `pocket pause` against DATABASE_URL with a clear error, changing nothing', async () => {
    proxy.stallOn('insert into "audit_log"');
    const started = Date.now();
    const run = await runPocket(['pause', 'stall-a', '--root', repo.root], {
      cwd: repo.root,
      env: { DATABASE_URL: url, REDIS_URL: undefined },
    });
    // Before, it waited for the ledger for good (pocket() gives up after 120 s).
    expect(Date.now() - started).toBeLessThan(LEDGER_CHANGE_DEADLINE_MS + 10_000);
    expect([run.code, run.stderr]).toEqual([
      1,
      `pocket: the ledger (DATABASE_URL) did not answer: Connection terminated: the ledger did not answer within ` +
        `${LEDGER_CHANGE_DEADLINE_MS} ms; nothing was changed, unless the ledger took the change just before it ` +
        'went silent: run the command again once it answers (a change already made answers unchanged)\n',
    ]);
    proxy.stallOn(null);
    expect(await elsewhere().pause('stall-a', { note: null, author: null })).toMatchObject({ changed: true });
  }, 60_000);
});
