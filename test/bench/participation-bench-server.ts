/**
 * One side of `npm run bench:participation`, run in its own process so that the load generator and the server
 * never share an event loop. `bare`: an Express app with the service's own body parser (`jsonBodyParser()`
 * from src/http: 8 KB, strict, prototype keys refused) answering a small JSON body on the same route.
 * `pocket`: the real service (createPocket: PostgreSQL + Redis, production backends), in the schema, key
 * prefix and definitions root the parent prepared; `embedded`: the service as `npm start` runs it (SQLite,
 * in-memory hot state, the worker in-process) in the data directory the parent prepared. Reports `{ port }` to
 * the parent over IPC once listening; answers 'cpu' with its CPU time so far; stops (closing every pool) on 'stop'.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../../src/config';
import { RedisHotState } from '../../src/hot-state/redis-hot-state';
import { jsonBodyParser } from '../../src/http/app';
import type { ParticipationLedger } from '../../src/participation/participation-ledger';
import { createPocket } from '../../src/server';
import { Breakdown } from './participation-bench-breakdown';

export const BENCH_ROUTE = '/v1/campaigns/:id/participations';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the parent bench sets it)`);
  return value;
}

function bareApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(jsonBodyParser());
  app.post(BENCH_ROUTE, (req, res) => {
    const body = req.body as { userId?: unknown };
    res.status(201).json({ outcome: 'granted', userId: body.userId ?? null });
  });
  return app;
}

interface Served {
  handler: RequestListener;
  close(): Promise<void>;
}

async function pocketApp(): Promise<Served> {
  const redisUrl = env('BENCH_REDIS_URL');
  const keyPrefix = env('BENCH_KEY_PREFIX');
  const config = loadConfig({
    DATABASE_URL: env('BENCH_DATABASE_URL'),
    REDIS_URL: redisUrl,
    POCKET_DATA_DIR: env('BENCH_DATA_DIR'),
    POCKET_DEFINITIONS: env('BENCH_DEFINITIONS'),
    POCKET_WORKER: 'false',
    LOG_LEVEL: 'warn',
  });
  const breakdown = process.env['BENCH_BREAKDOWN'] === '1' ? new Breakdown() : null;
  const hotState = new RedisHotState(redisUrl, { keyPrefix });
  const pocket = await createPocket(config, {
    hotState: breakdown ? breakdown.hotState(hotState) : hotState,
    protection: { keyPrefix },
    changesChannel: `${keyPrefix}changes`,
  });
  if (breakdown) {
    breakdown.db(pocket.db);
    // The service keeps its ledger private; the breakdown times it from outside.
    const deps = (pocket.participations as unknown as { deps: { ledger: ParticipationLedger } }).deps;
    deps.ledger = breakdown.ledger(deps.ledger);
  }
  await pocket.start();
  if (!pocket.ready()) throw new Error('pocket is not ready after start (registry or hot counters)');
  return {
    handler: breakdown ? breakdown.http(pocket.app) : pocket.app,
    async close() {
      if (breakdown) console.log(breakdown.report());
      await pocket.close();
    },
  };
}

/** What `npm start` runs: SQLite ledger and in-memory hot state in the data directory, the worker in-process. */
async function embeddedApp(): Promise<Served> {
  const config = loadConfig({
    POCKET_DATA_DIR: env('BENCH_DATA_DIR'),
    POCKET_DEFINITIONS: env('BENCH_DEFINITIONS'),
    LOG_LEVEL: 'warn',
  });
  const pocket = await createPocket(config);
  await pocket.start();
  if (!pocket.ready()) throw new Error('pocket is not ready after start (registry or hot counters)');
  return { handler: pocket.app, close: () => pocket.close() };
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind !== 'bare' && kind !== 'pocket' && kind !== 'embedded') {
    throw new Error('usage: participation-bench-server bare|pocket|embedded');
  }
  const served: Served =
    kind === 'bare'
      ? { handler: bareApp(), close: () => Promise.resolve() }
      : await (kind === 'pocket' ? pocketApp() : embeddedApp());
  const server = createServer(served.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 5000;
  process.on('message', (message) => {
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message !== 'stop') return;
    server.closeAllConnections();
    server.close();
    served
      .close()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  });
  process.send?.({ port: (server.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
