/**
 * `pocket serve` stopped by two signals in a row, as when a process manager signals the whole process group
 * while `npm start` forwards the same signal to node, or Ctrl-C reaches both npm and node: the second signal
 * must not cut the drain short. A participation held in flight by a slow profile service is answered, and the
 * process exits 0 instead of dying of the signal with its connections reset.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO_ROOT, liveCampaignYaml } from './run-pocket';

jest.setTimeout(120_000);

describe('pocket serve, a second signal while draining', () => {
  let dir: string;
  let profiles: Server;
  let profileAsked: () => void = () => undefined;
  /** Sends the profile service's answer to the request it holds. */
  let answerProfile: () => void = () => undefined;

  const killers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-signals-'));
    mkdirSync(join(dir, 'definitions', 'campaigns'), { recursive: true });
    writeFileSync(
      join(dir, 'definitions', 'campaigns', 'signal-drain.yaml'),
      liveCampaignYaml('signal-drain', 'Signal drain'),
    );
    // A profile service that holds its answer until the test lets it go: the participation is in flight while
    // the signals arrive, however slow the host. (It used to answer after 1.5 s, and the second signal went 200 ms
    // after the first: on a busy host the answer could leave before the drain began, or the second signal come
    // before the first was handled.)
    profiles = createServer((_req, res) => {
      answerProfile = () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ profile: {} }));
      };
      profileAsked();
    });
    await new Promise<void>((resolve) => profiles.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const killer of killers) clearTimeout(killer);
    profiles.closeAllConnections();
    await new Promise<void>((resolve) => profiles.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  interface Serving {
    child: ChildProcess;
    url: string;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    stdout(): string;
    /** Resolves once stdout shows `text`; the deadline only ends a failing test. */
    logged(text: string): Promise<void>;
    /** A participation (its profile is asked of the held profile service). */
    participate(key: string): Promise<Response>;
  }

  /** `pocket serve` on the embedded backends and the held profile service, with `env` added. */
  async function serve(name: string, env: Record<string, string>): Promise<Serving> {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: '0',
      POCKET_DATA_DIR: join(dir, `data-${name}`),
      POCKET_DEFINITIONS: join(dir, 'definitions'),
      POCKET_WORKER: 'false',
      PROFILE_URL: `http://127.0.0.1:${(profiles.address() as AddressInfo).port}`,
      ...env,
    };
    for (const variable of ['DATABASE_URL', 'REDIS_URL', 'RISK_URL', 'NODE_OPTIONS'])
      delete childEnv[variable];
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killers.push(setTimeout(() => child.kill('SIGKILL'), 90_000));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const found = /pocket listening on (http:\/\/[^\s"]+)/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      void exited.then(() => reject(new Error(`serve exited before listening:\n${stdout}`)));
    });

    const logged = (text: string): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!stdout.includes(text)) return;
          done();
          resolve();
        };
        const fail = (): void => {
          done();
          reject(new Error(`serve never logged "${text}":\n${stdout}`));
        };
        const timer = setTimeout(fail, 20_000);
        const done = (): void => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('close', fail);
        };
        child.stdout.on('data', check);
        child.once('close', fail);
        check();
      });
    const participate = (key: string): Promise<Response> =>
      fetch(`${url}/v1/campaigns/signal-drain/participations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `k-${key}` },
        body: JSON.stringify({ userId: `u-${key}`, context: { channel: 'app' } }),
      });
    return { child, url, exited, stdout: () => stdout, logged, participate };
  }

  for (const signals of [
    ['SIGTERM', 'SIGTERM'],
    ['SIGINT', 'SIGTERM'],
  ] as const) {
    it(`${signals.join(' then ')}: answers the request in flight and exits 0`, async () => {
      const { child, exited, stdout, logged, participate } = await serve(signals.join('-'), {
        // Longer than the test waits for the two signals to be handled (bounded by `logged` below).
        PROFILE_TIMEOUT_MS: '60000',
        SHUTDOWN_GRACE_MS: '60000',
      });

      const asked = new Promise<void>((resolve) => {
        profileAsked = resolve;
      });
      const answer = participate(signals.join('-'));
      await asked;
      child.kill(signals[0]);
      await logged('shutting down: draining');
      child.kill(signals[1]);
      await logged('already shutting down');
      // Both signals handled, the request still in flight: now the profile service answers.
      answerProfile();

      const response = await answer;
      expect(response.status).toBe(201);
      expect(response.headers.get('connection')).toBe('close');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stdout()).toContain('already shutting down');
    });
  }

  it('exits once the grace period is over, though a request it cut still waits for its profile', async () => {
    const { child, exited, logged, participate } = await serve('grace-over', {
      PROFILE_TIMEOUT_MS: '60000',
      SHUTDOWN_GRACE_MS: '500',
    });
    const asked = new Promise<void>((resolve) => {
      profileAsked = resolve;
    });
    // Cut at the end of the grace period: no answer.
    const answer = participate('grace-over').then(
      (response) => response.status,
      () => 'cut',
    );
    await asked;
    const signalled = Date.now();
    child.kill('SIGTERM');
    await logged('shutting down: draining');
    expect(await answer).toBe('cut');
    expect(await exited).toEqual({ code: 0, signal: null });
    // Before, the process stayed up until the profile call timed out (60 s): its socket and timer held it.
    expect(Date.now() - signalled).toBeLessThan(15_000);
    answerProfile();
  });
});
