/**
 * `pocket worker` (re)started while REDIS_URL is down, as a process manager does during a Redis outage: it used to
 * exit 1 (`cannot reach REDIS_URL`) and crash-loop, delivering nothing until Redis came back, although delivery
 * needs only the ledger and the issuers. It now says so in one warn, delivers the pending grants, and takes the
 * scheduler lease and runs the scheduled jobs by itself once Redis answers. A Redis that answers and refuses the
 * password is a configuration error and still stops it. `pocket worker --once` likewise delivers without Redis and
 * exits 1, saying that its real-time reconciliation (hot counters against the ledger) did not run.
 *
 * The suite runs a redis-server of its own (started late, on a port nothing listens on until then; the shared one
 * must never be stopped), a PostgreSQL schema of its own and an HTTP issuer in this process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import knex, { type Knex } from 'knex';
import { recordedGrants, users } from '../../helpers/delivery';
import { freePort, startOwnRedis, type OwnRedis } from '../../helpers/own-redis';
import { ownSchema, type OwnSchema } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { CLI, REPO_ROOT, pocket } from './run-pocket';

// Generous: the waits below end as soon as what they wait for happens; a slow host only needs them to outlast it.
jest.setTimeout(60_000);

interface Line {
  level: number;
  msg: string;
  err?: { message: string };
  redisUrl?: string;
  degraded?: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value; the deadline (which covers a worker process's boot) only ends a failing test. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describeWithServices(['DATABASE_URL'], 'pocket worker started while Redis is down', () => {
  let ledger: Knex;
  let schema: OwnSchema;
  let databaseUrl: string;
  let issuer: Server;
  let issuerUrl: string;
  const posted: string[] = [];
  let worker: ChildProcess | undefined;
  let redis: OwnRedis | undefined;

  beforeAll(async () => {
    schema = await ownSchema('worker_redis');
    databaseUrl = schema.url;
    ledger = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    issuer = createServer((req, res) => {
      if (req.method === 'POST') posted.push(String(req.headers['idempotency-key']));
      req.resume();
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(req.method === 'POST' ? '{}' : '{"records":[],"nextCursor":null}');
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGKILL');
      await once(worker, 'exit');
    }
    await redis?.kill();
    await new Promise((resolve) => issuer.close(resolve));
    await ledger.destroy();
    await schema.drop();
  });

  it('delivers the pending grants at once, then takes the lease and runs the jobs when Redis is back', async () => {
    // Grants recorded by a service (memory hot state, no worker of its own on PostgreSQL): pending in the outbox.
    const ids = await recordedGrants({ DATABASE_URL: databaseUrl }, users('redis-down', 2));
    expect(ids).toHaveLength(2);

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: `redis://:s3cret@127.0.0.1:${port}/0`,
      ISSUER_RED_PACKET_URL: issuerUrl,
      // Every second: the scheduler asks the lease at each turn, so an unthrottled warning would show at once.
      RECONCILE_CRON: '* * * * * *',
      OFFLINE_RECONCILE_CRON: '* * * * * *',
      LOG_LEVEL: 'info',
    };
    delete env['NODE_OPTIONS'];
    delete env['POCKET_DEFINITIONS'];
    worker = spawn(process.execPath, [CLI, 'worker'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const lines = (): Line[] =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);

    // Delivered while Redis is down, by a worker that stays up.
    await until('the grants at the issuer', () => (posted.length >= ids.length ? true : undefined));
    expect([...posted].sort()).toEqual(ids);
    // The issuer sees the POST before the worker records its answer: wait for the ledger, not the issuer.
    const delivered = async (): Promise<true | undefined> =>
      (await ledger('grants').whereIn('id', ids).pluck('status')).every((s) => s === 'delivered')
        ? true
        : undefined;
    await until('the grants recorded as delivered', delivered);
    await sleep(2500); // a few scheduled turns and reconnection attempts without Redis
    expect(worker.exitCode).toBeNull();
    expect(Number((await ledger('reconcile_runs').count({ n: '*' }).first())?.n)).toBe(0);

    const warns = lines().filter((l) => l.level >= 40);
    const boot = warns.filter((l) => l.msg.includes('REDIS_URL'));
    expect(boot).toEqual([
      expect.objectContaining({
        level: 40,
        redisUrl: `redis://:***@127.0.0.1:${port}/0`,
        degraded: ['scheduler lease', 'scheduled jobs'],
      }),
    ]);
    expect(boot[0]?.msg).toMatch(
      new RegExp(
        `^cannot reach REDIS_URL \\(redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0\\): connect ECONNREFUSED .*` +
          'the relay delivers grants.*scheduled jobs .* wait for the scheduler lease',
      ),
    );
    expect(stderr).not.toContain('s3cret');
    // Each failure once, not once a turn or a reconnection attempt.
    const seen = warns.map((l) => `${l.msg} | ${l.err?.message ?? ''}`);
    expect(seen.filter((key, i) => seen.indexOf(key) !== i)).toEqual([]);
    expect(warns.length).toBeLessThanOrEqual(6);

    // Redis comes back: no restart, the lease is taken and the jobs run.
    redis = await startOwnRedis({ port, args: ['--requirepass', 's3cret'] });
    await until('a scheduled reconciliation run', async () => {
      const row = await ledger('reconcile_runs').where({ kind: 'offline' }).first();
      return row as unknown;
    });
    const holder = spawnSync('redis-cli', [
      '-p',
      String(port),
      '-a',
      's3cret',
      '--no-auth-warning',
      'get',
      'pocket:lease:scheduler',
    ])
      .stdout.toString()
      .trim();
    // The holder names its process (lease-holder.ts): host, pid, then a fresh id.
    expect(holder).toMatch(/^\S+ \d+ [0-9a-f-]{36}$/);
    expect(lines().some((l) => l.msg === 'lease taken')).toBe(true);
    expect(lines().filter((l) => l.msg.includes('REDIS_URL'))).toHaveLength(1);

    // It stops promptly on SIGTERM. (Timed from the signal, not from the spawn: the boot, the delivery and the
    // lease each take longer on a busy host, and the waits above bound them already.)
    const stopping = Date.now();
    worker.kill('SIGTERM');
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);

    // A Redis that answers and refuses the password is a configuration error: no degraded start.
    const wrong = await pocket(['worker'], {
      env: { DATABASE_URL: databaseUrl, REDIS_URL: `redis://:wrong@127.0.0.1:${port}/0`, LOG_LEVEL: 'warn' },
    });
    expect([wrong.code, wrong.stderr]).toEqual([
      1,
      `pocket: cannot use REDIS_URL (redis://:***@127.0.0.1:${port}/0): WRONGPASS invalid username-password pair or user is disabled.\n`,
    ]);
  });

  it('worker --once drains the outbox without Redis, says the real-time reconciliation did not run, and exits 1', async () => {
    const ids = await recordedGrants({ DATABASE_URL: databaseUrl }, users('redis-down-once', 2));
    const port = await freePort();
    const run = await pocket(['worker', '--once', '--format', 'json'], {
      env: {
        DATABASE_URL: databaseUrl,
        REDIS_URL: `redis://:s3cret@127.0.0.1:${port}/0`,
        ISSUER_RED_PACKET_URL: issuerUrl,
      },
    });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as {
      relay: { delivered: number; errors: number };
      realtime: unknown;
      realtimeSkipped: string | null;
    };
    expect(result.relay).toMatchObject({ delivered: 2, errors: 0 });
    expect(result.realtime).toBeNull();
    expect(result.realtimeSkipped).toMatch(
      new RegExp(
        `^cannot reach REDIS_URL \\(redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0\\): connect ECONNREFUSED`,
      ),
    );
    expect(posted).toEqual(expect.arrayContaining(ids));
    expect(await ledger('grants').whereIn('id', ids).pluck('status')).toEqual(['delivered', 'delivered']);
    const warns = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.msg.includes('REDIS_URL'));
    expect(warns).toEqual([expect.objectContaining({ level: 40, degraded: ['real-time reconciliation'] })]);
    expect(warns[0]?.msg).toContain(
      'pocket worker --once drains the outbox and resends webhooks without Redis',
    );
    expect(run.stderr).not.toContain('s3cret');
  });
});
