/**
 * An ISSUER_<TYPE>_URL pointing at the sandbox's HTTP face (/sandbox/issuer, the documented way to run the issuer
 * protocol end to end without a real issuer): offline reconciliation reads the in-process sandbox and that HTTP
 * issuer, one table behind both. Each lists only the records that reached it its way, so a normal run finds
 * nothing. Both used to list the whole table: every grant issued over HTTP was `issued_twice`, with an alert
 * each, and `pocket reconcile` exited 1 after a run where nothing was wrong.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pocket } from '../../../src/server';
import { AT, DEFINITIONS, fakeClock, grantsFor, users } from '../../helpers/delivery';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';

const HOUR = 3_600_000;

describeEachBackend('offline reconciliation through the sandbox over HTTP', (backend) => {
  let backends: TestBackends;
  let service: Pocket;
  let worker: Pocket;
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await worker?.close();
    await service?.close();
    await backends?.destroy();
  });

  it('lists each grant once: the HTTP face its own records, the in-process sandbox the test grants', async () => {
    const clock = fakeClock(AT);
    backends = await createBackends(backend);
    service = await createTestPocket(backends, {
      clock,
      random: () => 0,
      config: { definitionsRoot: DEFINITIONS },
    });
    server = await new Promise<Server>((resolve) => {
      const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/sandbox/issuer`;
    // A worker of the same installation: the same ledger and secrets, red packets sent to the sandbox's HTTP face.
    worker = await createTestPocket(backends, {
      clock,
      random: () => 0,
      config: {
        definitionsRoot: DEFINITIONS,
        secrets: service.config.secrets,
        issuerUrls: { red_packet: url },
      },
    });
    const real = await grantsFor(worker, users('over-http', 3));
    const [tester] = await grantsFor(worker, ['qa-bulk']); // a test grant: the in-process sandbox
    expect(real).toHaveLength(3);
    expect(tester).toBeDefined();
    expect(await worker.delivery.relay.drain()).toMatchObject({ delivered: 4, retry: 0 });
    clock.advance(2 * HOUR);

    const summary = await worker.delivery.offline.run({ since: new Date(AT.getTime() - HOUR) });
    expect(summary.issuers).toEqual([
      { name: 'sandbox', records: 1 },
      { name: url, records: 3 },
    ]);
    expect(summary).toMatchObject({ ledgerDelivered: 4, matched: 4, found: {}, unresolved: 0 });
    expect(await worker.delivery.discrepancies.list(backends.ledger.db)).toEqual([]);
  });
});
