/**
 * `pocket worker` stopped (SIGTERM) while its ledger's connections are silent (a failover in progress: what was
 * sent is neither answered nor refused). It used to wait for good: its relay's claim, its lease renewal and the
 * pool waiting for them had no deadline, and nothing bounded its close (measured: still up 2 minutes after the
 * signal, nothing logged). It now exits 0 within SHUTDOWN_GRACE_MS plus CLOSE_TIMEOUT_MS, saying what it left.
 *
 * PostgreSQL is reached through a TCP proxy of the test's own that stalls all its traffic.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLOSE_TIMEOUT_MS } from '../../../src/server';
import { withLedger, type TestLedger } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { ledgerBehindProxy, type StallingProxy } from '../../helpers/stalling-proxy';
import { CLI, REPO_ROOT } from './run-pocket';

jest.setTimeout(60_000);

describeWithServices(['DATABASE_URL'], 'pocket worker on a ledger that goes silent', () => {
  let ledger: TestLedger;
  let proxy: StallingProxy;
  let url: string;
  beforeAll(async () => {
    ledger = await withLedger('postgres');
    ({ proxy, url } = await ledgerBehindProxy(ledger));
  });
  afterAll(async () => {
    proxy.stall(false);
    await proxy.close();
    await ledger.destroy();
  });

  it('exits 0 on SIGTERM within SHUTDOWN_GRACE_MS and CLOSE_TIMEOUT_MS', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      DATABASE_URL: url,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '1000',
      // Every second: a turn of the job, and with it the lease renewal, is under way when the ledger goes silent.
      OFFLINE_RECONCILE_CRON: '* * * * * *',
    };
    for (const name of ['REDIS_URL', 'NODE_OPTIONS', 'POCKET_DEFINITIONS']) delete env[name];
    const worker = spawn(process.execPath, [CLI, 'worker'], { cwd: REPO_ROOT, env, stdio: 'pipe' });
    const killer = setTimeout(() => worker.kill('SIGKILL'), 45_000);
    const exited = once(worker, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          if (stderr.includes('"lease taken"')) resolve();
        });
        void exited.then(() => reject(new Error(`worker exited:\n${stderr}`)));
      });
      proxy.stall(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const signalled = Date.now();
      worker.kill('SIGTERM');
      const [code, signal] = await exited;
      // Before, it was still up when the test's SIGKILL came, 45 s after the start.
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(1000 + CLOSE_TIMEOUT_MS + 3000);
      expect(stderr).toContain('pocket worker stopping');
    } finally {
      clearTimeout(killer);
    }
  });
});
