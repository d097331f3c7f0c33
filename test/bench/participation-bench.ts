/**
 * `npm run bench:participation`: participations per second of the real service (createPocket on PostgreSQL +
 * Redis) against a bare Express JSON endpoint with the same body parser, in the same run. Each server runs in
 * its own process; autocannon drives them from here at 50 connections for the same duration, alternating
 * service / bare round by round. Every participation carries a fresh userId and Idempotency-Key, built per
 * request (no replayed request), against a campaign whose stock and budget are far above the request count.
 * Also printed: the CPU time each process spent per request, and the check that the service granted
 * (201) every request it answered and that the ledger holds those grants.
 *
 * Environment: DATABASE_URL (postgres://postgres@127.0.0.1:5432/test), REDIS_URL (redis://127.0.0.1:6379/0),
 * BENCH_SECONDS per run (10), BENCH_ROUNDS per setup (2, at least 2), BENCH_WARMUP_SECONDS (3),
 * BENCH_CONNECTIONS (50), BENCH_MAX_REQUESTS per run (500000; a run stops within a second of it), BENCH_RATE
 * (requests per second over all connections, instead of as many as they get answered: compares CPU per request
 * at an equal load),
 * BENCH_CPU_PROF (a directory: the service process writes a V8 CPU profile there), BENCH_NODE_ARGS (Node options
 * for the service process only, e.g. `--perf-basic-prof` for `perf`, `--trace-gc`; with BENCH_BASELINE set to this
 * checkout they compare options against none), BENCH_BREAKDOWN=1 (the
 * service prints where a request's time goes), BENCH_BASELINE (the root of another checkout of pocket, e.g. a
 * `git worktree` of the commit before a change, with its node_modules: its service runs too, on its own schema and
 * key prefix, in the same rotation, and the two services are compared round by round: requests per second, or
 * with BENCH_RATE the service process's CPU per request).
 * BENCH_LEDGER=embedded runs the service as `npm start` does instead (SQLite and in-memory hot state in a
 * temporary data directory, the worker in-process; no target applies there, the figures are for comparison).
 * A fresh PostgreSQL schema and Redis key prefix are used and removed afterwards; 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { childCpu, postgresCpu, redisCpu, type CpuProbe } from './participation-bench-cpu';
import {
  CAMPAIGN,
  prepareBackends,
  prepareEmbedded,
  startServer,
  STOCK,
  stopServer,
  type BenchServer,
  type ServerKind,
} from './participation-bench-setup';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Math.max(2, Number(process.env['BENCH_ROUNDS'] ?? 2));
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const MAX_REQUESTS = Number(process.env['BENCH_MAX_REQUESTS'] ?? 500_000);
const CPU_PROF = process.env['BENCH_CPU_PROF'];
const BASELINE = process.env['BENCH_BASELINE'];
const RATE = Number(process.env['BENCH_RATE'] ?? 0);
const NODE_ARGS = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** `embedded`: the service as `npm start` runs it (SQLite, in-memory hot state, the worker in-process). */
const EMBEDDED = process.env['BENCH_LEDGER'] === 'embedded';
const TARGET = { ratio: 0.3, p99Ms: 100 };
const runId = randomBytes(3).toString('hex');

interface Target {
  name: string;
  port: number;
  /** CPU probes read before and after each run. */
  cpu: Record<string, CpuProbe>;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** Answers received, by status code. */
  statuses: Record<string, number>;
  total: number;
  errors: number;
  /** CPU time per answered request (ms), by process. */
  cpu: Record<string, number>;
}

let sequence = 0;

/** One autocannon run (at most MAX_REQUESTS requests); every request is built with a fresh user and key. */
async function drive(target: Target, seconds: number): Promise<Figures> {
  const probes = Object.entries(target.cpu);
  const before = await Promise.all(probes.map(([, probe]) => probe()));
  const first = sequence;
  let tracker: { stop(): void } | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    tracker = autocannon(
      {
        url: `http://127.0.0.1:${target.port}`,
        connections: CONNECTIONS,
        ...(RATE ? { overallRate: RATE } : {}),
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: `/v1/campaigns/${CAMPAIGN}/participations`,
            setupRequest: (req) => {
              const n = ++sequence;
              if (n - first >= MAX_REQUESTS) tracker?.stop();
              return {
                ...req,
                headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${runId}-${n}` },
                body: JSON.stringify({ userId: `bench-user-${runId}-${n}`, context: { channel: 'app' } }),
              };
            },
          },
        ],
      },
      (error, done) => (error ? reject(error as Error) : resolve(done)),
    );
  });
  const statuses: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats as Record<string, { count: number }>)) {
    statuses[code] = stats.count;
  }
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  const after = await Promise.all(probes.map(([, probe]) => probe()));
  return {
    rps: total / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    total,
    errors: result.errors + result.timeouts,
    cpu: Object.fromEntries(
      probes.map(([name], i) => [name, ((after[i] ?? 0) - (before[i] ?? 0)) / Math.max(1, total)]),
    ),
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const cpuLine = (cpu: Record<string, number>): string =>
  Object.entries(cpu)
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
    .join(', ');

function line(name: string, f: Figures): string {
  const codes = Object.entries(f.statuses)
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  return (
    `${name.padEnd(8)} ${fmt(f.rps).padStart(7)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  ` +
    `[${codes}${f.errors ? ` errors×${f.errors}` : ''}]  CPU ms/request: ${cpuLine(f.cpu)}`
  );
}

/** Warm-up, then ROUNDS rounds alternating the targets; every run printed as it ends. */
async function measure(targets: readonly Target[]): Promise<{ runs: Figures[][]; warmups: Figures[] }> {
  const warmups: Figures[] = [];
  for (const target of targets) {
    const f = await drive(target, WARMUP_SECONDS);
    warmups.push(f);
    console.log(`warm-up ${line(target.name, f)}`);
  }
  const runs: Figures[][] = targets.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, target] of targets.entries()) {
      const f = await drive(target, SECONDS);
      runs[i]?.push(f);
      console.log(`round ${round} ${line(target.name, f)}  load ${load()}`);
    }
  }
  return { runs, warmups };
}

function summarize(targets: readonly Target[], runs: Figures[][]): void {
  console.log(`\nmedian req/s and p50 over ${ROUNDS} rounds, worst p99:`);
  const summary = targets.map((t, i) => {
    const r = runs[i] ?? [];
    const s = {
      rps: median(r.map((f) => f.rps)),
      p50: median(r.map((f) => f.p50)),
      p99: Math.max(...r.map((f) => f.p99)),
      cpu: Object.fromEntries(Object.keys(t.cpu).map((k) => [k, median(r.map((f) => f.cpu[k] ?? 0))])),
    };
    console.log(
      `  ${t.name.padEnd(8)} ${fmt(s.rps).padStart(7)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ` +
        `CPU ms/request: ${cpuLine(s.cpu)}`,
    );
    return s;
  });
  const [service, bare, baseline] = summary;
  if (!service || !bare) return;
  if (baseline) {
    // Round by round: each round's services ran back to back, so the host's drift cancels out. At a fixed rate
    // both serve the same load, so what compares is the service process's CPU per request.
    const figure = (f: Figures | undefined): number => (RATE ? (f?.cpu['service'] ?? NaN) : (f?.rps ?? NaN));
    const each = (runs[0] ?? []).map((f, i) => figure(f) / figure(runs[2]?.[i]));
    console.log(
      `baseline / bare: ${(baseline.rps / bare.rps).toFixed(2)}×; service / baseline ` +
        `${RATE ? 'CPU per request' : 'requests/s'} per round: ` +
        `${each.map((r) => r.toFixed(3)).join(' ')} (median ${median(each).toFixed(3)}×)`,
    );
  }
  const ratio = service.rps / bare.rps;
  const met = ratio >= TARGET.ratio && service.p99 <= TARGET.p99Ms;
  const verdict = EMBEDDED
    ? 'the embedded ledger: the target is for PostgreSQL + Redis'
    : RATE
      ? `a fixed rate of ${RATE}/s: the target is judged without BENCH_RATE`
      : `target ≥ ${TARGET.ratio}× with p99 ≤ ${TARGET.p99Ms} ms: ${met ? 'met' : 'NOT met'}`;
  // Three decimals: 0.296 printed as "0.30×" next to "NOT met" reads as a contradiction.
  console.log(`service / bare: ${ratio.toFixed(3)}×  (${verdict}); load average ${load()}`);
}

async function main(): Promise<void> {
  const setups = BASELINE ? 3 : 2;
  const bound = (ROUNDS * setups * (SECONDS + 10) + setups * (WARMUP_SECONDS + 10) + 120) * 1000;
  setTimeout(() => {
    console.error('participation bench: over its time bound, aborting');
    process.exit(1);
  }, bound).unref();

  const backends = await Promise.all(
    (BASELINE ? [runId, `${runId}b`] : [runId]).map((id) => prepareLedger(id)),
  );
  const servers: BenchServer[] = [];
  try {
    if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
    const serviceArgs = [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...NODE_ARGS];
    const [own, base] = backends;
    if (!own) throw new Error('no backends');
    const pocket = await startServer(own.kind, own.serviceEnv, serviceArgs);
    servers.push(pocket);
    const bare = await startServer('bare', {});
    servers.push(bare);
    const targets: Target[] = [
      { name: 'service', port: pocket.port, cpu: own.cpu(pocket) },
      { name: 'bare', port: bare.port, cpu: { bare: childCpu(bare.child) } },
    ];
    if (BASELINE && base) {
      const baseline = await startServer(base.kind, base.serviceEnv, [], BASELINE);
      servers.push(baseline);
      targets.push({ name: 'baseline', port: baseline.port, cpu: base.cpu(baseline) });
    }
    console.log(
      `participation bench${EMBEDDED ? ' (embedded: SQLite, in-memory hot state)' : ''}: ` +
        `${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s per setup ` +
        `(after ${WARMUP_SECONDS} s warm-up each), node ${process.version}, load average ${load()}`,
    );
    const { runs, warmups } = await measure(targets);
    summarize(targets, runs);

    // Every answer of the service must be a grant, and the ledger must hold each one.
    const served = [warmups[0], ...(runs[0] ?? [])].filter((f): f is Figures => f !== undefined);
    const answered = served.reduce((a, f) => a + f.total, 0);
    const granted = served.reduce((a, f) => a + (f.statuses['201'] ?? 0), 0);
    const grants = await own.countGrants();
    // Requests still in flight when a run stops are granted but never counted by autocannon.
    const inFlight = served.length * CONNECTIONS;
    console.log(
      `service answers: ${fmt(granted)} × 201 of ${fmt(answered)}; grants in the ledger: ${fmt(grants)} ` +
        `(up to ${inFlight} more than counted: requests in flight when a run stopped); stock ${fmt(STOCK)}`,
    );
    const ledgerAgrees = grants >= granted && grants <= granted + inFlight;
    if (granted < answered || !ledgerAgrees) {
      console.error(
        `\n!!! ${fmt(answered - granted)} service answers were not 201 (see the status codes above)` +
          `${ledgerAgrees ? '' : `, and the ledger holds ${fmt(grants)} grants`} !!!`,
      );
      // A few transient answers under load are reported; more make the figures meaningless.
      if (answered - granted > answered * 0.001 || !ledgerAgrees) process.exitCode = 1;
    }
  } finally {
    await Promise.all(servers.map((s) => stopServer(s.child)));
    for (const b of backends) await b.remove();
  }
}

/** One service's ledger and hot state: what its process is given, what CPU to read, where its grants are. */
interface BenchLedger {
  kind: ServerKind;
  serviceEnv: Record<string, string>;
  cpu(server: BenchServer): Record<string, CpuProbe>;
  countGrants(): Promise<number>;
  remove(): Promise<void>;
}

async function prepareLedger(id: string): Promise<BenchLedger> {
  if (EMBEDDED) {
    const embedded = prepareEmbedded();
    return {
      kind: 'embedded',
      serviceEnv: embedded.serviceEnv,
      cpu: (server) => ({ service: childCpu(server.child) }),
      countGrants: () => {
        const db = new Database(embedded.sqliteFile, { readonly: true });
        try {
          return Promise.resolve((db.prepare('SELECT count(*) AS n FROM grants').get() as { n: number }).n);
        } finally {
          db.close();
        }
      },
      remove: () => Promise.resolve(embedded.remove()),
    };
  }
  const b = await prepareBackends(DATABASE_URL, REDIS_URL, id);
  return {
    kind: 'pocket',
    serviceEnv: b.serviceEnv,
    cpu: (server) => ({
      service: childCpu(server.child),
      postgres: postgresCpu(b.admin, b.applicationName),
      ...(id === runId ? { 'redis (whole server)': redisCpu(b.redis) } : {}),
    }),
    countGrants: async () => {
      const row = (await b.admin.withSchema(b.schema).table('grants').count({ n: '*' }).first()) as
        { n: unknown } | undefined;
      return Number(row?.n ?? 0);
    },
    remove: () => b.remove(),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
