/**
 * Reports take turns on PostgreSQL: each holds a pooled connection for its snapshot, and the dashboard asks for
 * every campaign's at each refresh of each tab. However many are asked for at once, at most REPORTS_AT_ONCE
 * hold a connection (seen in pg_locks, the reports blocked behind a lock on a table only they read), a
 * participation still gets one meanwhile, the same report asked again shares the one running or waiting, and
 * beyond the queue a report is 503 reports_busy. The pool is the service's: 10 connections, 2 s to get one.
 */
import request from 'supertest';
import type { Knex } from 'knex';
import { LEDGER_WAIT_MS } from '../../../src/ledger/db';
import { REPORTS_AT_ONCE, REPORTS_WAITING } from '../../../src/observability/report/report-service';
import type { Pocket } from '../../../src/server';
import { OpenApiContract } from '../../helpers/openapi-contract';
import { createBackends, removeDir, type TestBackends } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';
import {
  CAMPAIGN,
  driveTraffic,
  MovingClock,
  participate,
  reportPocket,
  START,
  writeReportDefinitions,
} from './observability-fixtures';

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'reports take turns on the ledger pool', () => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  let token: string;
  const clock = new MovingClock();

  beforeAll(async () => {
    root = writeReportDefinitions();
    backends = await createBackends('postgres+redis', {
      pool: { min: 1, max: 10 },
      acquireTimeoutMs: LEDGER_WAIT_MS,
    });
    pocket = await reportPocket(backends, root, clock);
    await driveTraffic(pocket, clock);
    token = (await pocket.tokens.create(['read'], 'report-turns')).token;
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  /** Sent at once; `from` minutes before START (null: the whole campaign), so that each is another report. */
  const report = (from: number | null): Promise<request.Response> => {
    const query = from === null ? '' : `?from=${new Date(START.getTime() - from * 60_000).toISOString()}`;
    return request(pocket.app)
      .get(`/admin/campaigns/${CAMPAIGN}/report${query}`)
      .set('Authorization', `Bearer ${token}`)
      .then((res) => res);
  };

  /**
   * Runs `body` while another transaction holds `discrepancies`, which only reports read: each report running
   * then blocks there, holding its connection. `blocked()` counts them; `until(n)` waits for n of them.
   */
  async function whileLocked<T>(
    body: (probe: { blocked(): Promise<number>; until(n: number): Promise<void> }) => Promise<T>,
  ): Promise<T> {
    const lock: Knex.Transaction = await backends.ledger.db.transaction();
    try {
      await lock.raw('LOCK TABLE discrepancies IN ACCESS EXCLUSIVE MODE');
      const blocked = async (): Promise<number> => {
        const rows = (await lock.raw(
          "SELECT count(*) AS n FROM pg_locks WHERE relation = 'discrepancies'::regclass AND NOT granted",
        )) as { rows: Array<{ n: number }> };
        return Number(rows.rows[0]?.n ?? 0);
      };
      const until = async (n: number): Promise<void> => {
        for (let i = 0; i < 100 && (await blocked()) < n; i += 1) await pause(50);
        expect(await blocked()).toBeGreaterThanOrEqual(n);
      };
      return await body({ blocked, until });
    } finally {
      await lock.commit();
    }
  }

  it('holds at most REPORTS_AT_ONCE connections however many are asked for, and a participation gets one', async () => {
    let most = 0;
    let reports: Array<Promise<request.Response>> = [];
    let refused: request.Response | undefined;
    const participation = await whileLocked(async ({ blocked, until }) => {
      reports = Array.from({ length: REPORTS_AT_ONCE + REPORTS_WAITING }, (_, i) => report(i));
      await until(REPORTS_AT_ONCE);
      // Before, every report took a connection: 9 of the 9 the lock left, and the participation waited 2 s
      // for one, then answered 503.
      const answer = participate(pocket, 'member-meanwhile');
      for (let i = 0; i < 10; i += 1) {
        most = Math.max(most, await blocked());
        await pause(50);
      }
      const res = await answer;
      most = Math.max(most, await blocked());
      // One report more than the queue holds is refused at once.
      refused = await report(1000);
      return res;
    });
    expect(participation.status).toBe(201);
    expect(most).toBe(REPORTS_AT_ONCE);
    if (!refused) throw new Error('the report past the queue was not sent');
    new OpenApiContract().check('get', '/admin/campaigns/{id}/report', refused);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({
      error: {
        code: 'reports_busy',
        message: `${REPORTS_AT_ONCE} reports are being computed and ${REPORTS_WAITING} wait for their turn; retry later`,
      },
    });
    // The queue drains once the ledger answers: every report waited its turn and got it.
    const statuses = (await Promise.all(reports)).map((r) => r.status);
    expect(statuses).toEqual(statuses.map(() => 200));
  });

  it('answers the same report asked while it runs or waits from that one', async () => {
    let runningCopies: Array<Promise<request.Response>> = [];
    let waitingCopies: Array<Promise<request.Response>> = [];
    let others: Array<Promise<request.Response>> = [];
    await whileLocked(async ({ blocked, until }) => {
      // Five asks for the whole campaign: one report runs.
      runningCopies = Array.from({ length: 5 }, () => report(null));
      await until(1);
      await pause(200);
      expect(await blocked()).toBe(1);
      // The slots full, more copies of one report than the queue holds: they take one place in it.
      others = Array.from({ length: REPORTS_AT_ONCE - 1 }, (_, i) => report(i + 1));
      await until(REPORTS_AT_ONCE);
      waitingCopies = Array.from({ length: REPORTS_WAITING + 4 }, () => report(500));
      await pause(200);
      expect(await blocked()).toBe(REPORTS_AT_ONCE);
    });
    for (const res of await Promise.all([...runningCopies, ...waitingCopies, ...others])) {
      expect(res.status).toBe(200);
    }
    const bodies = new Set((await Promise.all(waitingCopies)).map((r) => JSON.stringify(r.body)));
    expect(bodies.size).toBe(1);
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
