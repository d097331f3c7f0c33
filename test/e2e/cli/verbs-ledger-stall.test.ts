/**
 * The verbs that read or change the ledger outside the lifecycle (`report`, `tokens`, `blocklist`,
 * `discrepancies`, `grants redeliver`) on a ledger whose connections go silent (a failover in progress: what was
 * sent is neither answered nor refused). They had no deadline and waited until TCP gave up (pocket() gives up after
 * 120 s); each now stops after LEDGER_CHANGE_DEADLINE_MS with one line, exit 1, as the lifecycle verbs do. So does
 * any verb whose start-up schema check (knex's migrations table) goes unanswered.
 *
 * PostgreSQL is reached through TCP proxies of the test's own, one per verb, each holding back that verb's table.
 */
import { LEDGER_CHANGE_DEADLINE_MS } from '../../../src/ledger/db';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';
import { json, pocket } from './run-pocket';

jest.setTimeout(90_000);

const VERBS: ReadonlyArray<[string, string[], string]> = [
  ['report', ['report', 'spring', '--format', 'json'], '"campaign_versions"'],
  ['tokens list', ['tokens', 'list', '--format', 'json'], '"api_tokens"'],
  ['blocklist add', ['blocklist', 'add', '--user', 'u-1'], '"blocklist"'],
  ['discrepancies list', ['discrepancies', 'list', '--format', 'json'], '"discrepancies"'],
  ['grants redeliver', ['grants', 'redeliver', 'g-1', '--format', 'json'], '"grants"'],
  // Every verb first reads knex's migrations table (is the ledger at this pocket's schema?); that read had no
  // deadline, so a ledger that went silent just then held the verb until TCP gave up.
  ['versions, its schema check', ['versions', 'spring', '--format', 'json'], 'knex_migrations'],
  ['tokens list, its schema check', ['tokens', 'list', '--format', 'json'], 'knex_migrations'],
];

describeWithServices(['DATABASE_URL'], 'the ledger verbs on a ledger that goes silent', () => {
  let ledger: TestLedger;
  const proxies: StallingProxy[] = [];
  beforeAll(async () => {
    ledger = await withLedger('postgres');
  });
  afterAll(async () => {
    for (const proxy of proxies) {
      proxy.stallOn(null);
      await proxy.close();
    }
    await ledger.destroy();
  });

  it('stop each verb after the deadline with one line, exit 1, dependency_unavailable', async () => {
    const started = Date.now();
    const runs = await Promise.all(
      VERBS.map(async ([, args, table]) => {
        const { proxy, url } = await ledgerBehindProxy(ledger);
        proxies.push(proxy);
        proxy.stallOn(table);
        return pocket(args, { env: { DATABASE_URL: url, REDIS_URL: undefined } });
      }),
    );
    // Before, every one of them waited for the ledger for good.
    expect(Date.now() - started).toBeLessThan(LEDGER_CHANGE_DEADLINE_MS + 20_000);
    const line =
      `pocket: the ledger (DATABASE_URL) did not answer: Connection terminated: the ledger did not answer ` +
      `within ${LEDGER_CHANGE_DEADLINE_MS} ms; run the command again once it answers\n`;
    const knexLine = (text: string) =>
      text.startsWith('pocket: the ledger (DATABASE_URL) did not answer: Defined query timeout of ') &&
      text.endsWith('; run the command again once it answers\n');
    VERBS.forEach(([name, args], i) => {
      const run = runs[i]!;
      expect({ name, code: run.code }).toEqual({ name, code: 1 });
      // A statement by itself fails with knex's timeout; one of a transaction with its connection closed.
      expect({ name, oneLine: run.stderr === line || knexLine(run.stderr) }).toEqual({ name, oneLine: true });
      if (args.includes('json')) {
        expect(json<{ error: { code: string } }>(run).error.code).toBe('dependency_unavailable');
      }
    });
  });
});
