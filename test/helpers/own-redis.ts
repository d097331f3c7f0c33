/**
 * A redis-server of a suite's own, for tests that stop Redis or start it late: the shared one (6379) must never
 * be stopped. No persistence; `args` adds options (e.g. `--requirepass`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface OwnRedis {
  port: number;
  child: ChildProcess;
  /** SIGKILL (an outage, not a shutdown); resolves once it is gone. Safe to call twice. */
  kill(): Promise<void>;
}

/** A port nothing listens on now (the kernel's pick), for a Redis that is down until started there. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startOn(port: number, args: readonly string[]): Promise<OwnRedis | null> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  // Until it answers or exits (its port taken), within a deadline that only ends a failing run: 50 tries 50 ms apart
  // (about 2.5 s) were tight for a process's boot on a busy host.
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    await sleep(50);
    if (child.exitCode !== null) break;
    // PONG, or NOAUTH behind --requirepass: either way the server answers.
    const answer = spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString() ?? '';
    if (/PONG|NOAUTH/.test(answer)) return { port, child, kill };
  }
  await kill();
  return null;
}

/** Starts redis-server on `port`, or on a random free one when not given. */
export async function startOwnRedis(
  options: { port?: number; args?: readonly string[] } = {},
): Promise<OwnRedis> {
  for (let attempt = 0; attempt < (options.port === undefined ? 5 : 1); attempt++) {
    const port = options.port ?? 20_000 + Math.floor(Math.random() * 20_000);
    const redis = await startOn(port, options.args ?? []);
    if (redis) return redis;
  }
  throw new Error('could not start a redis-server of our own');
}
