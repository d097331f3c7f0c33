/**
 * `pocket worker` on its own (the PostgreSQL topology) keeps its registry current: a campaign published after the
 * worker started gets its alerts. The worker read the registry once at start, so a campaign launched on the day
 * of its sale was never evaluated (no stock or burn-rate alert, no real-time reconciliation) until a restart.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStores, ledgerRegistry } from '../../../src/backends';
import { silentLogger } from '../../../src/observability/logger';
import { publishLocalDefinitions } from '../../../src/publishing/publish-local';
import { createWorker, type WorkerParts } from '../../../src/reconciliation/create-worker';
import type { Lease } from '../../../src/reconciliation/lease';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, removeDir, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  MovingClock,
  participate,
  reportPocket,
  writeReportDefinitions,
} from './observability-fixtures';

/** Never held: the test runs the alert job itself, so no scheduled run races it. */
const elsewhere: Lease = {
  acquire: () => Promise.resolve(false),
  release: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

describeEachBackend('a standalone worker and campaigns published after it started', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let worker: WorkerParts;
  let root: string;
  const clock = new MovingClock();

  beforeAll(async () => {
    root = writeReportDefinitions();
    const file = join(root, 'campaigns', `${CAMPAIGN}.yaml`);
    const yaml = readFileSync(file, 'utf8');
    rmSync(file);
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, clock);
    // As cli/worker-runtime.ts builds it: its own registry over the ledger, not the service's.
    const stores = createStores();
    const registry = ledgerRegistry(pocket.db, stores);
    await registry.refresh();
    worker = createWorker({
      config: pocket.config,
      db: pocket.db,
      registry,
      registryRefreshMs: 20,
      hot: null,
      grants: stores.grants,
      outbox: stores.outbox,
      logger: silentLogger(),
      clock: clock.now,
      lease: elsewhere,
      notifier: null,
    });
    worker.worker.start();
    writeFileSync(file, yaml);
    await publishLocalDefinitions({ lifecycle: pocket.lifecycle, root, logger: silentLogger() });
  });
  afterAll(async () => {
    await worker?.worker.stop();
    await worker?.close();
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it("alerts on the new campaign's stock running out", async () => {
    // The VIP packet's stock is 3.
    for (const user of ['vip-1', 'vip-2', 'vip-3'])
      expect((await participate(pocket, user)).status).toBe(201);
    // Until the worker's registry poll (every 20 ms) has brought the campaign in; the deadline only ends a failing
    // test (50 tries 20 ms apart, as before, could pass before a poll on a busy host).
    const fired: string[] = [];
    for (const deadline = Date.now() + 20_000; fired.length === 0 && Date.now() < deadline;) {
      fired.push(...(await worker.alertEvaluator.run()).fired);
      if (fired.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fired).toContain(`${CAMPAIGN}:stock.exhausted:rp-vip`);
  });
});
