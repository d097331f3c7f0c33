/**
 * The embedded default's in-memory hot state is one process's. A second `pocket serve` on the same data
 * directory (a second `npm start` on another PORT, as the "port in use" message suggests) refuses to start,
 * naming the first, instead of gating stock with counters of its own (which answered 503 to about one request
 * in ten while the ledger's fences refused what the two gates over-admitted). The CLI's verbs on the same file
 * are not refused, and a service killed without shutting down does not keep a restart out.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveCampaignYaml, pocket, startServe, type ServeProcess } from './run-pocket';

jest.setTimeout(120_000);

describe('the embedded service is one process per data directory', () => {
  let dir: string;
  let env: Record<string, string | undefined>;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-one-process-'));
    mkdirSync(join(dir, 'definitions', 'campaigns'), { recursive: true });
    writeFileSync(
      join(dir, 'definitions', 'campaigns', 'one-process.yaml'),
      liveCampaignYaml('one-process', 'One process'),
    );
    env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: '0',
      POCKET_DATA_DIR: join(dir, 'data'),
      POCKET_DEFINITIONS: join(dir, 'definitions'),
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      RISK_URL: undefined,
    };
  });
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `pocket serve` and resolves with it and its URL once it listens. */
  const serve = (): Promise<ServeProcess> => startServe(env, (child) => children.push(child));

  async function participate(url: string, userId: string): Promise<string | undefined> {
    const response = await fetch(`${url}/v1/campaigns/one-process/participations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `k-${userId}` },
      body: JSON.stringify({ userId, context: { channel: 'app' } }),
    });
    return ((await response.json()) as { outcome?: string }).outcome;
  }

  it('a second serve on the data directory stops, naming the first; the CLI verbs still work on it', async () => {
    const first = await serve();
    const second = await pocket(['serve'], { env });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^pocket: another pocket serve \\(pid ${first.child.pid} on \\S+\\) runs on the ledger \\S+pocket\\.sqlite ` +
          'with an in-memory hot state, which only one process may use: stop it .*or set REDIS_URL',
      ),
    );

    // The CLI's verbs are processes on the same file too, and no hot state of their own: not refused.
    const paused = await pocket(['pause', 'one-process', '--note', 'drill'], { env });
    expect([paused.code, paused.stderr]).toEqual([0, '']);
    const deadline = Date.now() + 2000;
    let outcome = await participate(first.url, 'u-paused');
    while (outcome !== 'paused' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      outcome = await participate(first.url, `u-paused-${Date.now()}`);
    }
    expect(outcome).toBe('paused');
    expect((await pocket(['resume', 'one-process'], { env })).code).toBe(0);

    // Killed without shutting down: its claim does not keep the next one out.
    first.child.kill('SIGKILL');
    await first.exited;
    const next = await serve();
    expect(await participate(next.url, 'u-after')).toBe('granted');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);

    // Shut down as usual: the next one starts at once.
    const last = await serve();
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
  });
});
