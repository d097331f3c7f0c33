/**
 * The worker's parts on a PostgreSQL ledger with nothing else: no campaigns, no hot state, the config's issuers,
 * and a notifier (the `notifications` job reads the ledger only when there is one). `deps` adds or replaces parts
 * (the lease, its TTL).
 */
import type { Db } from '../../src/ledger/db';
import { KnexGrantStore } from '../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../src/ledger/knex-outbox-store';
import { silentLogger } from '../../src/observability/logger';
import { createWorker, type WorkerDeps, type WorkerParts } from '../../src/reconciliation/create-worker';
import { testConfig } from './pocket';

export function bareWorker(db: Db, deps: Partial<WorkerDeps> = {}): WorkerParts {
  return createWorker({
    config: { ...testConfig(), redisUrl: null },
    db,
    registry: { list: () => [], get: () => undefined },
    hot: null,
    grants: new KnexGrantStore(),
    outbox: new KnexOutboxStore(),
    logger: silentLogger(),
    clock: () => new Date(),
    notifier: { send: () => Promise.resolve() },
    ...deps,
  });
}
