/**
 * A ledger that stops answering without closing its connections (a failover in progress, a network partition):
 * DESIGN.md wants a fast 503 dependency_unavailable, not a hang. Idempotency lookups and grant writes go to the
 * ledger in batches, one at a time, so a batch stuck on such a connection used to hold every participation of
 * the instance until the ledger answered again (and knex let a query wait a minute for a connection). Now a
 * request waits at most LEDGER_WAIT_MS for its turn or a connection, and a statement not answered within
 * LEDGER_STATEMENT_DEADLINE_MS has its connection closed.
 *
 * The service's other statements, in the background (the registry poll, a counter rebuild, the request stats) have
 * a deadline too: each runs one at a time, so one stuck on such a connection used to hold all later ones.
 *
 * PostgreSQL is reached through a TCP proxy of the test's own that can stall all its traffic.
 */
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { counterRebuilder } from '../../../src/backends';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { KnexBlocklistStore } from '../../../src/ledger/knex-blocklist-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { BlocklistService } from '../../../src/protection/blocklist-service';
import { silentLogger } from '../../../src/observability/logger';
import { createPocket, type Pocket } from '../../../src/server';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { testConfig } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';

describeWithServices(['DATABASE_URL'], 'a stalled ledger', () => {
  let ledger: TestLedger | undefined;
  let proxy: StallingProxy | undefined;
  let pocket: Pocket | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    proxy?.stall(false);
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    await pocket?.close();
    await proxy?.close();
    await ledger?.destroy();
  });

  let base = '';
  /** A request with the client's 10 s timeout. */
  const send = async (path: string, init: RequestInit = {}): Promise<{ status: number | 'timeout' }> => {
    try {
      const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      await res.text();
      return { status: res.status };
    } catch {
      return { status: 'timeout' };
    }
  };

  type Participate = (context?: Record<string, string>) => Promise<{ status: number | 'timeout' }>;

  /** A pocket on PostgreSQL through the stalling proxy (and in-memory hot state), and a client with a 10 s timeout. */
  async function pocketBehindProxy(): Promise<Participate> {
    ledger = await withLedger('postgres');
    const behind = await ledgerBehindProxy(ledger);
    proxy = behind.proxy;
    pocket = await createPocket(
      { ...testConfig(), databaseUrl: behind.url, publishOnStart: true },
      {
        logger: silentLogger(),
        hotState: new MemoryHotState(),
        refreshMs: 60_000,
        // Inside the campaign's window, so that participations reach the anti-fraud checks.
        clock: () => new Date('2026-11-11T12:00:00+08:00'),
      },
    );
    await pocket.start();
    const app = pocket.app;
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (context = { channel: 'app' }) => {
      try {
        const res = await fetch(`${base}/v1/campaigns/double11-red-packet-rain/participations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ userId: `u-${randomUUID()}`, context }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        return { status: res.status };
      } catch {
        return { status: 'timeout' };
      }
    };
  }

  it('answers 503 dependency_unavailable within seconds, and answers again once the ledger does', async () => {
    const participate = await pocketBehindProxy();
    // The pool holds a few connections (at most 10).
    const warm = await Promise.all(Array.from({ length: 20 }, participate));
    expect(warm.every((r) => r.status === 200 || r.status === 201)).toBe(true);

    proxy!.stall(true);
    const during = await Promise.all(Array.from({ length: 30 }, participate));
    // The requests queued behind the stuck statement answer after LEDGER_WAIT_MS, the one whose statement was
    // sent when its deadline closes the connection; none waits for the stall to end, which comes only after all
    // of them answered (a hung one would be a 'timeout' after the client's 10 s).
    expect(during.filter((r) => r.status !== 503)).toEqual([]);

    proxy!.stall(false);
    const after = await participate();
    expect([200, 201]).toContain(after.status);
  }, 60_000);

  it('answers 503 within seconds when a refusal cannot be stored or a device read: they have the deadline too', async () => {
    const participate = await pocketBehindProxy();
    expect([200, 201]).toContain((await participate()).status);
    // Only the refusal's insert stalls (knex's text; the grant write's prepared statement spells it otherwise):
    // its idempotency lookup and everything before it answer.
    proxy!.stallOn('insert into "participations"');
    const refused = await Promise.all(
      Array.from({ length: 3 }, () => participate({ channel: 'mini-program' })),
    );
    // Before, each waited for the stall to end: a 'timeout' after the client's 10 s.
    expect(refused.map((r) => r.status)).toEqual([503, 503, 503]);
    proxy!.stallOn(null);
    proxy!.stall(false);
    expect([200, 201]).toContain((await participate()).status);
    // The campaign's velocity check reads and claims the device's accounts (protection.velocity).
    proxy!.stallOn('"device_accounts"');
    const device = await participate({ channel: 'app', deviceId: 'dev-stalled' });
    expect(device.status).toBe(503);
    proxy!.stallOn(null);
    proxy!.stall(false);
    expect([200, 201]).toContain((await participate({ channel: 'app', deviceId: 'dev-stalled' })).status);
    // The pool dropped the connections it gave up on and opened new ones.
    expect((await participate({ channel: 'mini-program' })).status).toBe(200);
  }, 60_000);

  it('answers the public view, a user’s grants and a gateway token’s check 503 within seconds, /metrics 200', async () => {
    const participate = await pocketBehindProxy();
    expect([200, 201]).toContain((await participate()).status);
    const { token } = await pocket!.tokens.create(['participate'], 'gateway');
    proxy!.stall(true);
    const answers = await Promise.all([
      send('/v1/campaigns/double11-red-packet-rain'),
      send('/v1/users/u-1/grants'),
      send('/v1/campaigns/double11-red-packet-rain/participations', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ userId: 'u-gateway', context: { channel: 'app' } }),
      }),
      // Without the ledger's gauges (pocket_metrics_state_errors_total counts the reads that failed).
      send('/metrics'),
    ]);
    // Before, each waited on the stalled connection it was given (a 'timeout' after the client's 10 s), or was a
    // 500 when pg gave up opening a new one ("timeout expired").
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 200]);
    proxy!.stall(false);
    expect((await send('/v1/campaigns/double11-red-packet-rain')).status).toBe(200);
  }, 60_000);

  it('blocks a user blocked after a blocklist refresh stuck on a dead connection has given up', async () => {
    const participate = await pocketBehindProxy();
    expect([200, 201]).toContain((await participate()).status);
    const asMallory = (): Promise<{ status: number | 'timeout' }> =>
      send('/v1/campaigns/double11-red-packet-rain/participations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ userId: 'mallory', context: { channel: 'app' } }),
      });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The next participation refreshes the list (at most once a second); its revision read goes unanswered.
    proxy!.stallOn('"protection_revisions"');
    expect([200, 201, 503]).toContain((await participate()).status);
    proxy!.stallOn(null);
    await new BlocklistService({ db: ledger!.db, store: new KnexBlocklistStore() }).add('user', 'mallory');
    // Before, the stuck refresh was never replaced: the instance kept its old list, and let mallory in.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const answers = [await asMallory(), await asMallory()];
    expect(answers.map((a) => a.status)).toContain(403);
  }, 60_000);

  /** 'settled' when `promise` settles within `ms`, else 'hung'. */
  const within = (promise: Promise<unknown>, ms: number): Promise<'settled' | 'hung'> =>
    Promise.race([
      promise.then(
        () => 'settled' as const,
        () => 'settled' as const,
      ),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref()),
    ]);

  it('sees a pause once a registry poll stuck on a dead connection has given up', async () => {
    const participate = await pocketBehindProxy();
    expect([200, 201]).toContain((await participate()).status);
    // The poll's read of the active versions goes unanswered (the connection went silent after a failover).
    proxy!.stallOn('"fingerprint" from "campaign_versions"');
    const stuck = pocket!.registry.refresh();
    // Before, it never settled, and every later poll waited behind it: the pause below was never seen.
    expect(await within(stuck, 8000)).toBe('settled');
    proxy!.stallOn(null);
    await pocket!.lifecycle.pause('double11-red-packet-rain', { author: 'ops', note: null });
    await pocket!.registry.refresh();
    expect(pocket!.registry.get('double11-red-packet-rain')?.paused).toBe(true);
    expect(await participate()).toEqual({ status: 200 });
  }, 60_000);

  it('rebuilds lost counters once a rebuild stuck on a dead connection has given up', async () => {
    await pocketBehindProxy();
    const hotState = new MemoryHotState();
    const rebuilder = counterRebuilder(
      hotState,
      pocket!.db,
      { grants: new KnexGrantStore() },
      silentLogger(),
      1000,
    );
    proxy!.stallOn('LAG(stock_slot');
    // Before, it never settled, and the campaign answered 503 while it did not (one rebuild per campaign at a time).
    expect(await within(rebuilder.ensure('double11-red-packet-rain'), 4000)).toBe('settled');
    proxy!.stallOn(null);
    expect(await rebuilder.ensure('double11-red-packet-rain')).toBe(true);
  }, 60_000);

  it('keeps the request stats of a flush stuck on a dead connection, and shuts down', async () => {
    const participate = await pocketBehindProxy();
    await participate();
    proxy!.stallOn('"request_stats"');
    // Before, the flush never settled, nor did every later one, nor the shutdown that flushes last.
    expect(await within(pocket!.requestStats.flush(), 8000)).toBe('settled');
    proxy!.stallOn(null);
    await pocket!.requestStats.flush();
    const [row] = await ledger!.db('request_stats').sum({ total: 'total' });
    expect(Number(row?.['total'])).toBe(1);
  }, 60_000);
});
