/**
 * A transaction opened on `withStatementDeadline(db, ms)`: once the ledger leaves one of its statements (BEGIN and
 * COMMIT included) unanswered for `ms`, its connection is closed and it fails as the ledger being unavailable,
 * instead of waiting until TCP gives up; a transaction whose statements each answer in time may take longer.
 *
 * PostgreSQL is reached through a TCP proxy of the test's own that holds back what it is told to.
 */
import type { Knex } from 'knex';
import { createDb, withStatementDeadline, type Db } from '../../../src/ledger/db';
import { dependencyOf } from '../../../src/errors/dependency-failure';
import { settledWithin } from '../../../src/shared/settled-within';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';

describeWithServices(['DATABASE_URL'], 'a transaction with a statement deadline', () => {
  let ledger: TestLedger;
  let proxy: StallingProxy;
  let db: Db;
  beforeEach(async () => {
    ledger = await withLedger('postgres');
    const behind = await ledgerBehindProxy(ledger);
    proxy = behind.proxy;
    db = createDb({ databaseUrl: behind.url });
  });
  afterEach(async () => {
    proxy.stallOn(null);
    proxy.stall(false);
    await db.destroy();
    await proxy.close();
    await ledger.destroy();
  });

  const note = (trx: Db | Knex.Transaction, id: string) =>
    trx('audit_log').insert({ at: new Date(), actor: 'test', action: id, campaign_id: null });
  const notes = async (): Promise<string[]> => ledger.db('audit_log').orderBy('id').pluck('action');

  it.each([
    ['a statement', 'insert into "audit_log"'],
    ['its COMMIT', 'COMMIT'],
  ])(
    'fails, as the ledger being unavailable, when %s goes unanswered',
    async (_what, text) => {
      const bounded = withStatementDeadline(db, 1000);
      await bounded.transaction(async (trx) => note(trx, 'before'));
      proxy.stallOn(text);
      const stuck = bounded.transaction(async (trx) => {
        await trx.raw('select 1');
        await note(trx, 'stalled');
      });
      // Before, it waited on the silent connection for good.
      expect(await settledWithin(stuck, 4000)).toBe(true);
      const error = await stuck.then(
        () => null,
        (err: unknown) => err,
      );
      expect(dependencyOf(error)).toBe('ledger');
      expect((error as Error).message).toBe(
        'Connection terminated: the ledger did not answer within 1000 ms',
      );
      proxy.stallOn(null);
      // Its connection was dropped: the next transaction runs on another.
      await bounded.transaction(async (trx) => note(trx, 'after'));
      expect(await notes()).toEqual(['before', 'after']);
    },
    30_000,
  );

  it('lets a transaction whose statements each answer in time take longer than the deadline', async () => {
    const bounded = withStatementDeadline(db, 1000);
    await bounded.transaction(async (trx) => {
      for (let i = 0; i < 3; i++) await trx.raw('select pg_sleep(0.5)');
      await note(trx, 'slow');
    });
    expect(await notes()).toEqual(['slow']);
  }, 30_000);
});
