/**
 * What `npm run bench:participation` sets up and removes: a fresh PostgreSQL schema, a Redis key prefix, a
 * temporary definitions root with the bench campaign, and the two server processes (127.0.0.1 only); with
 * BENCH_LEDGER=embedded, a temporary data directory (SQLite ledger, in-memory hot state) instead of the first two.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';

export const CAMPAIGN = 'bench-red-packet';
export const STOCK = 50_000_000;
/** Far above anything one run can grant, so that neither stock nor budget is ever at stake. */
const BUDGET = 1_000_000_000_000;

/** Stock and budget far above the request count; per-user limits that a fresh user never reaches. */
function campaignYaml(): string {
  const day = 86_400_000;
  return [
    `id: ${CAMPAIGN}`,
    'name: Participation bench',
    'owner: bench',
    'status: active',
    `window: { start: ${new Date(Date.now() - day).toISOString()}, end: ${new Date(Date.now() + 30 * day).toISOString()} }`,
    'timezone: Asia/Shanghai',
    'entry: { activityCode: none, channels: [app] }',
    'limits: { perUser: { total: 1, daily: 1 } }',
    `budget: { currency: CNY, total: ${BUDGET}, daily: ${BUDGET} }`,
    'rewards:',
    `  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 200 }, stock: ${STOCK} }`,
    'segments:',
    '  - id: everyone',
    '    rewards: [{ reward: rp, weight: 1 }]',
    'decision: { strategy: weighted }',
    '',
  ].join('\n');
}

function localOnly(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`${url}: the bench targets 127.0.0.1 only`);
  }
}

export interface BenchBackends {
  admin: Knex;
  redis: Redis;
  schema: string;
  /** The environment of the service process: its DATABASE_URL (schema, application_name), prefix, roots. */
  serviceEnv: Record<string, string>;
  /** application_name of the service's PostgreSQL connections. */
  applicationName: string;
  /** Drops the schema, deletes the keys and the temporary directory. */
  remove(): Promise<void>;
}

export async function prepareBackends(
  databaseUrl: string,
  redisUrl: string,
  runId: string,
): Promise<BenchBackends> {
  localOnly(databaseUrl);
  localOnly(redisUrl);
  const schema = `bench_${process.pid}_${runId}`;
  const keyPrefix = `bench:${runId}:`;
  const applicationName = `pocket-bench-${runId}`;
  const dir = mkdtempSync(join(tmpdir(), 'pocket-bench-'));
  mkdirSync(join(dir, 'definitions', 'campaigns'), { recursive: true });
  writeFileSync(join(dir, 'definitions', 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml());

  const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  const redis = new Redis(redisUrl);
  const remove = async (): Promise<void> => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await admin.raw('CREATE SCHEMA ??', [schema]);
  } catch (error) {
    await remove();
    throw error;
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  url.searchParams.set('application_name', applicationName);
  return {
    admin,
    redis,
    schema,
    applicationName,
    serviceEnv: {
      BENCH_DATABASE_URL: url.toString(),
      BENCH_REDIS_URL: redisUrl,
      BENCH_KEY_PREFIX: keyPrefix,
      BENCH_DATA_DIR: join(dir, 'data'),
      BENCH_DEFINITIONS: join(dir, 'definitions'),
    },
    remove,
  };
}

/** The embedded default's setup (what `npm start` runs on): a temporary definitions root and data directory. */
export function prepareEmbedded(): {
  serviceEnv: Record<string, string>;
  sqliteFile: string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'pocket-bench-'));
  mkdirSync(join(dir, 'definitions', 'campaigns'), { recursive: true });
  writeFileSync(join(dir, 'definitions', 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml());
  return {
    serviceEnv: { BENCH_DATA_DIR: join(dir, 'data'), BENCH_DEFINITIONS: join(dir, 'definitions') },
    sqliteFile: join(dir, 'data', 'pocket.sqlite'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type ServerKind = 'bare' | 'pocket' | 'embedded';

export interface BenchServer {
  child: ChildProcess;
  port: number;
}

/**
 * Forks participation-bench-server.ts (`execArgv` e.g. --cpu-prof) and waits for its port. `checkout`: the root of
 * another checkout of pocket whose server to fork instead (BENCH_BASELINE), so that its own code is measured.
 */
export function startServer(
  kind: ServerKind,
  env: Record<string, string>,
  execArgv: string[] = [],
  checkout?: string,
): Promise<BenchServer> {
  const dir = checkout === undefined ? __dirname : join(checkout, 'test', 'bench');
  const child = fork(join(dir, 'participation-bench-server.ts'), [kind], {
    cwd: checkout ?? process.cwd(),
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) =>
      reject(new Error(`${kind} server exited with ${String(code)} before listening`)),
    );
  });
}

/** Asks the server to close its pools and exit; kills it after 15 s. */
export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('stop');
  });
}
